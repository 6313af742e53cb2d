import ArgumentParser
import ControlClient
import Core
import Foundation

/// `olafctl`: administers a running olafd over its Unix control socket.
///
/// The global options (`Connection`: `--socket`, `--json`) are accepted before the subcommand, as operators
/// write them for `git -C` or `systemctl -H` (`olafctl --socket PATH status`), and after it (`olafctl status
/// --socket PATH`). ArgumentParser does this itself: the root command declares the same option group as every
/// subcommand, its lenient parse takes those options wherever they stand in the command line, and a
/// subcommand's `@OptionGroup var connection: Connection` receives the value the root decoded.
@main
struct OlafctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olafctl",
        abstract: "Administer a running olafd over its control socket.",
        discussion: """
            Global options (--socket, --json) go before or after the subcommand: `olafctl --socket PATH status` \
            and `olafctl status --socket PATH` are the same.
            Exit codes: 0 ok, 1 no answer within 30 s or another I/O error, 2 bad input, 3 olafd not running, \
            4 permission denied, 5 refused by olafd.
            """,
        subcommands: [Status.self, Neighbours.self, Clients.self, Files.self, Key.self, Reload.self, Metrics.self])

    /// Parsed here so they may precede the subcommand; every subcommand's own group receives these values.
    @OptionGroup(title: "Global options") var connection: Connection
}

/// Options every subcommand takes (the global options: before or after the subcommand).
struct Connection: ParsableArguments {
    @Option(help: "Control socket (default $OLAFD_CONTROL_SOCKET, else /run/olafd/control.sock).")
    var socket: String?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    var client: ControlAPIClient {
        let environment = ProcessInfo.processInfo.environment["OLAFD_CONTROL_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        return ControlAPIClient(socketPath: socket ?? environment ?? "/run/olafd/control.sock")
    }

    /// Runs `body`, prints its JSON or human rendering, and maps failures to messages and exit codes.
    func run(_ body: (ControlAPIClient) throws -> JSONValue, human: (JSONValue) -> String) throws {
        do {
            let value = try body(client)
            print(json ? JSONWriter.python(value) : human(value))
        } catch let error as ControlClientError {
            FileHandle.standardError.write(Data("olafctl: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Version, uptime, addresses, clients, neighbours, files, messages.")
    @OptionGroup var connection: Connection
    func run() throws { try connection.run({ try $0.status() }, human: HumanOutput.status) }
}

struct Clients: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Clients connected to this server.")
    @OptionGroup var connection: Connection
    func run() throws { try connection.run({ try $0.clients() }, human: HumanOutput.clients) }
}

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Key commands.", subcommands: [Show.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The server's public key and fingerprint, to hand to neighbours' operators.")
        @OptionGroup var connection: Connection
        func run() throws { try connection.run({ try $0.key() }, human: HumanOutput.key) }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read the configuration (limits, log level) without dropping connections.")
    @OptionGroup var connection: Connection
    func run() throws {
        try connection.run({ try $0.reload() }, human: { "reloaded: \(HumanOutputText.field($0, "summary"))" })
    }
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prometheus metrics text.")
    @OptionGroup var connection: Connection
    func run() throws {
        do {
            print(try connection.client.metrics(), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("olafctl: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}

/// Small helpers for one-line human outputs.
enum HumanOutputText {
    static func field(_ value: JSONValue, _ key: String) -> String { value.objectValue?[key]?.stringValue ?? "?" }
}
