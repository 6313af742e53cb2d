import ArgumentParser
import Foundation
import OlafBenchmarks

/// `olaf-bench connections --clients N`: hello rate, RSS per connection, one public_chat reaching all.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections", abstract: "N clients connect and say hello to one olafd.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Clients (default 1000; smoke 20).")
    var clients: Int?

    func run() async throws {
        let setup = try common.setup()
        let table = try await BenchSuite.connections(
            clients: clients ?? (common.smoke ? 20 : 1_000), runs: common.smoke ? 1 : common.runs, setup: setup,
            command: "olaf-bench " + CommandLine.arguments.dropFirst().joined(separator: " "))
        print(table.markdown)
        await setup.shutdown()
    }
}

/// `olaf-bench files`: upload/download MB/s of `--count` files of `--bytes`.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "Upload and download throughput through olafd's file endpoints (curl).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Bytes per file (default 1 MiB; smoke 64 KiB).")
    var bytes: Int?

    @Option(help: "Files (default 100; smoke 3).")
    var count: Int?

    func run() async throws {
        let setup = try common.setup()
        let table = try await BenchSuite.files(
            bytes: bytes ?? (common.smoke ? 65_536 : 1 << 20), count: count ?? (common.smoke ? 3 : 100),
            runs: common.smoke ? 1 : common.runs, setup: setup,
            command: "olaf-bench " + CommandLine.arguments.dropFirst().joined(separator: " "))
        print(table.markdown)
        await setup.shutdown()
    }
}

/// `olaf-bench startup`: exec → READY=1 and exec → listening with a prepared state.
struct StartupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup", abstract: "olafd start-up time with stored counters and neighbours.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Stored counters (default 10000; smoke 100).")
    var counters: Int?

    @Option(help: "Configured neighbours (default 100; smoke 3).")
    var neighbours: Int?

    func run() async throws {
        let setup = try common.setup()
        let table = try await BenchSuite.startup(
            counters: counters ?? (common.smoke ? 100 : 10_000), neighbours: neighbours ?? (common.smoke ? 3 : 100),
            runs: common.smoke ? 1 : common.runs, setup: setup,
            command: "olaf-bench " + CommandLine.arguments.dropFirst().joined(separator: " "))
        print(table.markdown)
        await setup.shutdown()
    }
}
