import ArgumentParser
import OlafBenchmarks

/// `olaf-bench broadcast-server --port P`: the trivial endpoint behind `relay --ceiling`.
struct BroadcastServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast-server",
        abstract: "Minimal WebSocket endpoint forwarding each text frame to every other connection (no parsing).")

    @Option(help: "Port on 127.0.0.1.")
    var port: Int

    func run() async throws { try await BroadcastServer.run(port: port) }
}
