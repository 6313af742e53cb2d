import ArgumentParser
import Foundation
import OlafBenchmarks

/// `olaf-bench relay`: throughput (default) or latency at a fixed offered rate (`--rate`).
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay throughput, or latency at a fixed offered load (--rate), through one or two olafd.")

    @OptionGroup var common: CommonOptions

    @Option(help: "1 (one server) or 2 (senders on the first, receivers on the second of two linked servers).")
    var servers = 1

    @Option(help: "Sending clients.")
    var senders = 4

    @Option(help: "Receiving clients.")
    var receivers = 4

    @Option(help: "public_chat or chat (encrypted, sealed to every receiver).")
    var kind: String = "public_chat"

    @Option(help: "Messages per sender (default 15000, or --rate × 5 s; smoke: 200).")
    var messages: Int?

    @Option(help: "Offered load in messages/s over all senders (latency mode); omit for as-fast-as-possible.")
    var rate: Double?

    @Flag(help: "Drive the trivial broadcast endpoint instead of olafd: the generator's own ceiling.")
    var ceiling = false

    @Option(
        help: """
            Drive the Python reference relay instead of olafd (path to scripts/reference-relay.py; python3 with \
            websockets and cryptography; one server).
            """)
    var pythonRelay: String?

    func run() async throws {
        guard let kind = MessageFactory.Kind(rawValue: kind) else {
            throw ValidationError("--kind must be public_chat or chat")
        }
        if pythonRelay != nil, servers != 1 { throw ValidationError("--python-relay runs one server only") }
        let setup = try common.setup()
        var benchmark = RelayBenchmark()
        benchmark.servers = servers
        benchmark.senders = senders
        benchmark.receivers = receivers
        benchmark.kind = kind
        benchmark.offeredRate = rate
        benchmark.messagesPerSender =
            messages ?? (common.smoke ? 200 : rate.map { Int($0 * 5) / senders } ?? 15_000)
        let runs = common.smoke ? 1 : common.runs
        let (table, _) = try await RelayRunner.run(
            benchmark, runs: runs, setup: setup, command: reproduce,
            comparison: ceiling ? .broadcastEndpoint : pythonRelay.map { .pythonRelay(script: $0) })
        print(table.markdown)
        await setup.shutdown()
    }

    private var reproduce: String {
        "olaf-bench " + CommandLine.arguments.dropFirst().joined(separator: " ")
    }
}
