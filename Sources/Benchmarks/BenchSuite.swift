import Foundation

/// The non-relay measurements, each repeated against fresh servers and summarised as a table.
public enum BenchSuite {
    public static func connections(clients: Int, runs: Int, setup: BenchSetup, command: String) async throws
        -> SummaryTable
    {
        var benchmark = ConnectionScaleBenchmark()
        benchmark.clients = clients
        let prepared = try benchmark.prepare(keyCache: setup.keyCache)
        var table = SummaryTable(title: "Connection scale: \(clients) clients on one server", command: command)
        for run in 1...max(1, runs) {
            let server = try OlafdInstance(binary: setup.olafd)
            try server.start()
            defer { server.stop() }
            if run == 1 { print("server: \(server.commandLine)") }
            let result = try await benchmark.run(prepared, server: server, group: setup.group)
            print(
                "run \(run): \(clients) greeted in \(String(format: "%.2f", result.greetSeconds)) s;"
                    + " RSS \(result.rssBefore / 1024) → \(result.rssAfter / 1024) KiB;"
                    + " public_chat reached \(result.chatReached)/\(clients - 1) in \(String(format: "%.3f", result.chatSeconds)) s"
            )
            guard result.chatReached == clients - 1 else {
                throw BenchError.verificationFailed("public_chat reached \(result.chatReached) of \(clients - 1)")
            }
            table.add("hellos", result.hellosPerSecond, unit: "/s")
            table.add("server CPU per hello", result.cpuMicrosPerHello, unit: "µs")
            table.add("generator CPU per hello (same cores)", result.generatorMicrosPerHello, unit: "µs")
            table.add("hellos olafd's CPU allows (generator elsewhere)", result.serverBoundHellosPerSecond, unit: "/s")
            table.add("server RSS per connection", result.rssPerConnection / 1024, unit: "KiB")
            table.add("server RSS with all connected", Double(result.rssAfter) / 1_048_576, unit: "MiB")
            table.add("public_chat to all", result.chatSeconds * 1000, unit: "ms")
        }
        return table
    }

    public static func files(bytes: Int, count: Int, runs: Int, setup: BenchSetup, command: String) async throws
        -> SummaryTable
    {
        var benchmark = FileBenchmark()
        benchmark.fileBytes = bytes
        benchmark.fileCount = count
        let scratch = OlafdInstance.temporaryDirectory("olaf-bench-files")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let file = try benchmark.prepare(directory: scratch)
        var table = SummaryTable(title: "Files: \(count) × \(bytes) bytes, curl", command: command)
        for run in 1...max(1, runs) {
            let server = try OlafdInstance(binary: setup.olafd, extra: FileBenchmark.serverFlags)
            try server.start()
            defer { server.stop() }
            if run == 1 { print("server: \(server.commandLine)") }
            let result = try benchmark.run(file: file, server: server, scratch: scratch)
            print(
                "run \(run): up \(String(format: "%.0f", result.uploadMBps)) MB/s,"
                    + " down \(String(format: "%.0f", result.downloadMBps)) MB/s,"
                    + " RSS growth \(String(format: "%.1f", result.rssGrowthMB)) MB")
            table.add("upload", result.uploadMBps, unit: "MB/s")
            table.add("download", result.downloadMBps, unit: "MB/s")
            table.add("server peak RSS growth", result.rssGrowthMB, unit: "MB")
        }
        return table
    }

    public static func startup(counters: Int, neighbours: Int, runs: Int, setup: BenchSetup, command: String)
        async throws -> SummaryTable
    {
        var benchmark = StartupBenchmark()
        benchmark.counters = counters
        benchmark.neighbours = neighbours
        let state = try await benchmark.prepare(setup: setup)
        defer { try? FileManager.default.removeItem(atPath: state) }
        var table = SummaryTable(
            title: "Start-up with \(counters) stored counters and \(neighbours) neighbours", command: command)
        for run in 1...max(1, runs) {
            let (result, line) = try benchmark.run(state: state, setup: setup)
            if run == 1 { print("server: \(line)") }
            print(
                "run \(run): READY=1 after \(String(format: "%.1f", result.readySeconds * 1000)) ms,"
                    + " listening after \(String(format: "%.1f", result.listeningSeconds * 1000)) ms")
            table.add("exec → READY=1", result.readySeconds * 1000, unit: "ms")
            table.add("exec → listening", result.listeningSeconds * 1000, unit: "ms")
        }
        return table
    }
}
