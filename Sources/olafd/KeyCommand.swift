import ArgumentParser
import Foundation
import Logging
import OlafCrypto
import Server

/// `olafd key show`: prints the server's public key (creating the keystore on first use).
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "The server key.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the server's canonical public PEM (to give to neighbours' operators).")

        @OptionGroup var options: ServerOptions

        @Flag(help: "Print the fingerprint instead of the PEM.")
        var fingerprint = false

        func run() async throws {
            PrivateUmask.apply()
            let environment = ProcessInfo.processInfo.environment
            let configuration = try options.configuration(environment: environment)
            var logger = Logger(label: "olafd")
            logger.logLevel = .warning
            do {
                let key = try ServerKeystore.loadOrCreate(
                    stateDirectory: configuration.stateDirectory, passphraseFile: configuration.passphraseFile,
                    environment: environment, logger: logger)
                print(fingerprint ? key.publicKey.fingerprint : key.publicKey.canonicalPEM)
            } catch {
                FileHandle.standardError.write(Data("olafd: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
