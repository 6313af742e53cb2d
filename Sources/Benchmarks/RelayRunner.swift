import Foundation

/// Repeats a relay benchmark against fresh servers and summarises it.
public enum RelayRunner {
    /// - Parameters:
    ///   - comparison: drive this server instead of olafd: the trivial broadcast endpoint (the generator's
    ///     ceiling) or the Python reference relay (one server only).
    ///   - reuse: frames signed for an earlier run of the same shape (public_chat frames do not name a server).
    public static func run(
        _ benchmark: RelayBenchmark, runs: Int, setup: BenchSetup, command: String,
        comparison: ComparisonServer.Kind? = nil, reuse: RelayBenchmark.Prepared? = nil
    ) async throws -> (SummaryTable, RelayBenchmark.Prepared) {
        let ports = (0..<benchmark.servers).map { _ in LoopbackPort.free() }
        let prepared =
            try reuse
            ?? benchmark.prepare(keyCache: setup.keyCache, serverAddresses: ports.map { "127.0.0.1:\($0)" })
        let mode = benchmark.offeredRate.map { "latency at \(Int($0)) msg/s" } ?? "throughput"
        var table = SummaryTable(
            title: "\(benchmark.kind.rawValue) \(mode), "
                + (comparison.map { "\(title(of: $0)), " } ?? "\(benchmark.servers) server(s), ")
                + "\(benchmark.senders)×\(benchmark.receivers), \(benchmark.messagesPerSender) msgs/sender",
            command: command)
        for run in 1...max(1, runs) {
            let result: RelayBenchmark.Result
            if let comparison {
                let server = try ComparisonServer(comparison, port: ports[0])
                defer { server.stop() }
                result = try await benchmark.run(prepared, on: server, group: setup.group)
            } else {
                let neighbourhood = try Neighbourhood.start(ports: ports, binary: setup.olafd)
                defer { neighbourhood.stop() }
                if run == 1 { print("server: \(neighbourhood.servers[0].commandLine)") }
                result = try await benchmark.run(prepared, on: neighbourhood, group: setup.group)
            }
            print(
                "run \(run): \(result.messagesIn) msgs in \(String(format: "%.3f", result.seconds)) s,"
                    + " receiver deliveries \(result.receiverDeliveries)/\(result.expectedReceiverDeliveries),"
                    + " all deliveries \(result.allDeliveries), verified samples \(result.verifiedSamples),"
                    + " server CPU \(String(format: "%.2f", result.serverCPUSeconds)) s")
            guard result.receiverDeliveries > 0, result.verifiedSamples > 0 else {
                throw BenchError.verificationFailed("no deliveries or no verified sample")
            }
            if benchmark.offeredRate == nil {
                table.add("messages in", result.messagesPerSecond, unit: "msg/s")
                table.add("deliveries out, receivers", result.receiverDeliveriesPerSecond, unit: "/s")
                table.add("deliveries out, all connections", result.deliveriesPerSecond, unit: "/s")
            } else {
                for (name, p) in [
                    ("latency p50", 50.0), ("latency p99", 99), ("latency p99.9", 99.9), ("latency max", 100),
                ] {
                    table.add(name, result.latencyMillis(p), unit: "ms")
                }
            }
            table.add("server CPU per message", result.cpuMicrosPerMessage, unit: "µs")
            table.add("lost deliveries", Double(result.lost), unit: "count")
        }
        return (table, prepared)
    }

    private static func title(of comparison: ComparisonServer.Kind) -> String {
        switch comparison {
        case .broadcastEndpoint: "generator ceiling (broadcast endpoint)"
        case .pythonRelay: "Python reference relay"
        }
    }
}
