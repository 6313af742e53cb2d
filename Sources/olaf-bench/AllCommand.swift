import ArgumentParser
import Foundation
import OlafBenchmarks

/// `olaf-bench all`: every measurement, `--runs` times each, as Markdown tables with the machine and the load.
struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Every server benchmark, repeated; prints Markdown tables (scripts/bench).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Largest connection-scale run (default 10000).")
    var maxClients = 10_000

    @Option(
        help: """
            Also run the Python reference relay (path to scripts/reference-relay.py; needs python3 with websockets \
            and cryptography) for the CPU-per-message comparison.
            """)
    var pythonRelay: String?

    func run() async throws {
        let setup = try common.setup()
        let smoke = common.smoke
        let runs = smoke ? 1 : common.runs
        let suffix = smoke ? " --smoke" : " --runs \(runs)"
        var tables: [String] = []
        let loadAtStart = ProcessStats.loadAverage()
        let started = ContinuousClock.now
        func record(_ table: SummaryTable) {
            print(table.markdown)
            tables.append(table.markdown)
        }

        // Relay throughput: the generator's ceiling first, then olafd.
        var relay = RelayBenchmark()
        relay.messagesPerSender = smoke ? 200 : 15_000
        let (ceiling, signed) = try await RelayRunner.run(
            relay, runs: runs, setup: setup, command: "olaf-bench relay --ceiling" + suffix,
            comparison: .broadcastEndpoint)
        record(ceiling)
        var oneServerThroughput: SummaryTable?
        for servers in [1, 2] {
            relay.servers = servers
            var table = try await RelayRunner.run(
                relay, runs: runs, setup: setup, command: "olaf-bench relay --servers \(servers)" + suffix,
                reuse: signed
            ).0
            if servers == 1 {
                table.target("messages in", 20_000, atLeast: true, text: "≥ 20,000")
                table.target("deliveries out, receivers", 100_000, atLeast: true, text: "≥ 100,000")
                oneServerThroughput = table
            }
            record(table)
        }
        relay.servers = 1
        relay.kind = .chat
        relay.messagesPerSender = smoke ? 50 : 10_000
        relay.samplesPerReceiver = 10
        record(
            try await RelayRunner.run(
                relay, runs: runs, setup: setup,
                command: "olaf-bench relay --kind chat --messages \(relay.messagesPerSender)" + suffix
            ).0)

        // Latency at fixed offered loads.
        var oneServerAt1000: SummaryTable?
        for rate in smoke ? [200.0] : [1_000.0, 5_000] {
            for servers in [1, 2] {
                var latency = RelayBenchmark()
                latency.servers = servers
                latency.offeredRate = rate
                latency.messagesPerSender = Int(rate * (smoke ? 1 : 5)) / latency.senders
                var table = try await RelayRunner.run(
                    latency, runs: runs, setup: setup,
                    command: "olaf-bench relay --servers \(servers) --rate \(Int(rate))" + suffix
                ).0
                if rate == 1_000, servers == 1 { oneServerAt1000 = table }
                if rate == 1_000, servers == 2 {
                    table.target("latency p99", 2, atLeast: false, text: "≤ 2 ms")
                    table.target("latency p99.9", 5, atLeast: false, text: "≤ 5 ms")
                }
                record(table)
            }
        }

        if let pythonRelay, !smoke {
            relay.kind = .publicChat
            relay.messagesPerSender = 15_000
            relay.samplesPerReceiver = RelayBenchmark().samplesPerReceiver
            let pythonThroughput = try await RelayRunner.run(
                relay, runs: runs, setup: setup, command: "olaf-bench relay --python-relay \(pythonRelay)" + suffix,
                comparison: .pythonRelay(script: pythonRelay), reuse: signed
            ).0
            record(pythonThroughput)
            var latency = RelayBenchmark()
            latency.offeredRate = 1_000
            latency.messagesPerSender = 5_000 / latency.senders
            let pythonAt1000 = try await RelayRunner.run(
                latency, runs: runs, setup: setup,
                command: "olaf-bench relay --rate 1000 --python-relay \(pythonRelay)" + suffix,
                comparison: .pythonRelay(script: pythonRelay)
            ).0
            record(pythonAt1000)
            record(
                CPUComparison.table(
                    olafd: [("at saturation", oneServerThroughput), ("at 1,000 msg/s", oneServerAt1000)],
                    python: [pythonThroughput, pythonAt1000]))
        }

        // Connection scale.
        for clients in smoke ? [20] : [1_000, 5_000, 10_000].filter({ $0 <= maxClients }) {
            var table = try await BenchSuite.connections(
                clients: clients, runs: runs, setup: setup,
                command: "olaf-bench connections --clients \(clients)" + suffix)
            table.target("hellos", 10_000, atLeast: true, text: "≥ 10,000")
            if clients == 10_000 { table.target("server RSS per connection", 12, atLeast: false, text: "≤ 12 KiB") }
            record(table)
        }

        // Files.
        for (bytes, count) in smoke ? [(65_536, 3)] : [(1 << 20, 100), (1 << 30, 1)] {
            var table = try await BenchSuite.files(
                bytes: bytes, count: count, runs: runs, setup: setup,
                command: "olaf-bench files --bytes \(bytes) --count \(count)" + suffix)
            if bytes == 1 << 30 {
                table.target("upload", 600, atLeast: true, text: "≥ 600")
                table.target("download", 1_000, atLeast: true, text: "≥ 1,000")
                table.target("server peak RSS growth", 64, atLeast: false, text: "≤ 64")
            }
            record(table)
        }

        // Start-up.
        record(
            try await BenchSuite.startup(
                counters: smoke ? 100 : 10_000, neighbours: smoke ? 3 : 100, runs: runs, setup: setup,
                command: "olaf-bench startup" + suffix))

        print("## Summary\n")
        print(
            "Machine: \(ProcessStats.machineDescription()); load average at start \(loadAtStart), at end \(ProcessStats.loadAverage())."
        )
        print(
            "Generator (olaf-bench) and servers share the same cores. Total time \((ContinuousClock.now - started).components.seconds) s.\n"
        )
        for table in tables { print(table) }
        await setup.shutdown()
    }
}
