import ArgumentParser
import Foundation
import OlafBenchmarks

/// `olaf-bench cpu`: server CPU per relayed message at one fixed offered rate, olafd against the pure swift-nio
/// broadcast endpoint (the floor of a connection layer: no parsing, no crypto) and the Python reference relay,
/// in one table (issue 16's connection-layer targets).
struct CPUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpu",
        abstract: "Server CPU per message at a fixed rate: olafd vs the broadcast endpoint vs the Python relay.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Offered load in messages/s over all senders (4 senders, 4 receivers, public_chat).")
    var rate: Double = 2_000

    @Option(help: "Path to scripts/reference-relay.py (python3 with websockets and cryptography); omit to skip.")
    var pythonRelay: String?

    func run() async throws {
        let setup = try common.setup()
        let runs = common.smoke ? 1 : common.runs
        var benchmark = RelayBenchmark()
        benchmark.kind = .publicChat
        benchmark.offeredRate = rate
        benchmark.messagesPerSender = common.smoke ? 200 : Int(rate * 5) / benchmark.senders
        let suffix = " --rate \(Int(rate)) --runs \(runs)"
        let (broadcast, signed) = try await RelayRunner.run(
            benchmark, runs: runs, setup: setup, command: "olaf-bench relay --ceiling" + suffix,
            comparison: .broadcastEndpoint)
        print(broadcast.markdown)
        let (olafd, _) = try await RelayRunner.run(
            benchmark, runs: runs, setup: setup, command: "olaf-bench relay" + suffix, reuse: signed)
        print(olafd.markdown)
        var python: SummaryTable?
        if let pythonRelay {
            python = try await RelayRunner.run(
                benchmark, runs: runs, setup: setup, command: "olaf-bench relay --python-relay \(pythonRelay)" + suffix,
                comparison: .pythonRelay(script: pythonRelay), reuse: signed
            ).0
            print(python?.markdown ?? "")
        }
        let verify = try CryptoBenchmark.run(seconds: common.smoke ? 0.2 : 2, only: ["envelope_verify"])
        let parseAndVerifyMicros = verify.first.map { 1e6 / $0.opsPerSecond } ?? .nan
        print(
            CPUComparison.connectionLayerTable(
                rate: rate, olafd: olafd, broadcast: broadcast, python: python,
                parseAndVerifyMicros: parseAndVerifyMicros, command: "olaf-bench cpu" + suffix
            ).markdown)
        await setup.shutdown()
    }
}
