import ArgumentParser
import Client
import Foundation

/// Options shared by every subcommand: where the key and history live, and the headless passphrase.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (default $XDG_DATA_HOME/olaf or ~/.local/share/olaf).")
    var dataDir: String?

    @Option(
        name: .customLong("passphrase-file"),
        help: "File holding the keystore passphrase: unlock (or create) without the browser.")
    var passphraseFile: String?

    var directory: DataDirectory {
        DataDirectory(path: dataDir ?? DataDirectory.defaultPath(environment: ProcessInfo.processInfo.environment))
    }
}

/// Prints `olaf-client: MESSAGE` on stderr and exits 1.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("olaf-client: \(message)\n".utf8))
    return ExitCode(1)
}
