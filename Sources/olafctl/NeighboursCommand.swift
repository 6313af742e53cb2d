import ArgumentParser
import ControlClient
import Core
import Foundation

struct Neighbours: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add and remove neighbour servers.",
        subcommands: [List.self, Add.self, Remove.self, ResetCounter.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Configured neighbours with link state and last seen.")
        @OptionGroup var connection: Connection
        func run() throws { try connection.run({ try $0.neighbours() }, human: HumanOutput.neighboursTable) }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add (or re-key) a neighbour; it is dialled at once and kept across restarts.",
            discussion: "Get the key from the other operator: `olafctl key show` on their server.")
        @OptionGroup var connection: Connection
        @Argument(
            help: """
                The neighbour's address, HOST:PORT (as its operator configured public_address);                 wss://HOST:PORT to dial it over TLS.
                """)
        var address: String
        @Option(help: "File holding the neighbour's public key PEM ('-' for standard input).")
        var key: String
        @Option(help: "Where to dial it (ws://HOST:PORT or wss://HOST:PORT), when ADDRESS is only its name.")
        var url: String?
        @Option(help: "PEM file of the CA that must have issued a wss:// neighbour's certificate (absolute path).")
        var caFile: String?

        func run() throws {
            let pem: String
            do {
                pem =
                    key == "-"
                    ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    : try String(contentsOfFile: key, encoding: .utf8)
            } catch {
                FileHandle.standardError.write(
                    Data("olafctl: cannot read key file \(key): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
            let caPath = caFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            try connection.run({ try $0.addNeighbour(address: address, publicKeyPEM: pem, url: url, caFile: caPath) }) {
                value in
                "added neighbour \(HumanOutputText.field(value, "address")) (fingerprint \(HumanOutputText.field(value, "fingerprint")))"
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a neighbour; its link is closed at once.")
        @OptionGroup var connection: Connection
        @Argument(help: "The neighbour's address, HOST:PORT.") var address: String
        func run() throws {
            try connection.run({ try $0.removeNeighbour(address: address) }) {
                "removed neighbour \(HumanOutputText.field($0, "removed"))"
            }
        }
    }

    struct ResetCounter: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-counter",
            abstract: "Forget a neighbour's last server_hello counter (after it lost its state and restarts from 1).")
        @OptionGroup var connection: Connection
        @Argument(help: "The neighbour's address, HOST:PORT.") var address: String
        func run() throws {
            try connection.run({ try $0.resetCounter(address: address) }) {
                "counter reset for \(HumanOutputText.field($0, "reset"))"
            }
        }
    }
}

struct Files: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Uploaded files.", subcommands: [List.self, Remove.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stored files.")
        @OptionGroup var connection: Connection
        func run() throws { try connection.run({ try $0.files() }, human: HumanOutput.files) }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a stored file.")
        @OptionGroup var connection: Connection
        @Argument(help: "The file id (32 hex characters).") var id: String
        func run() throws {
            try connection.run({ try $0.removeFile(id: id) }) { "removed file \(HumanOutputText.field($0, "removed"))" }
        }
    }
}
