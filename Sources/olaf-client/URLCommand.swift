import ArgumentParser
import Client
import Foundation

/// `olaf-client url`: prints the running daemon's UI URL (with its access token) from the 0600 file the daemon
/// keeps (see `UIURLFile`), so that a daemon run by `systemctl --user` never has to put the token in the journal.
struct URLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "url",
        abstract: "Print the running olaf-client's UI address (with its access token) to open in a browser.")

    @OptionGroup var data: DataOptions

    func run() throws {
        let directory = data.directory
        let file = UIURLFile.forDataDirectory(
            directory, explicit: data.dataDir != nil, environment: ProcessInfo.processInfo.environment)
        // A file left by a daemon that died is stale: the data directory's lock says whether one runs.
        if FileManager.default.fileExists(atPath: directory.path), let lock = try? directory.lock() {
            lock.release()
            throw fail("\(UIURLFileError.notRunning(path: file.path))")
        }
        do {
            print(try file.read())
        } catch {
            throw fail("\(error)")
        }
    }
}
