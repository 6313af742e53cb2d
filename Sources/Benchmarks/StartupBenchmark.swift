import Core
import Foundation
import OlafCrypto
import Server

/// Time from exec to `READY=1` (systemd notification) and to accepting connections, with a prepared state:
/// `counters` stored sender counters and `neighbours` configured neighbours (unreachable addresses, so the
/// dialers back off in the background as they would for neighbours that are down).
public struct StartupBenchmark: Sendable {
    public var counters = 10_000
    public var neighbours = 100

    public init() {}

    public struct Result: Sendable {
        public var readySeconds: Double
        public var listeningSeconds: Double
    }

    /// Creates the state directory: keystore (via `olafd key show`), counters and neighbours in olafd's SQLite
    /// store, written with the Server library's own `SQLiteServerStore`.
    public func prepare(setup: BenchSetup) async throws -> String {
        let state = OlafdInstance.temporaryDirectory("olafd-bench-startup")
        let server = try OlafdInstance(binary: setup.olafd, stateDirectory: state)
        _ = try server.publicKeyPEM(binary: setup.olafd)
        let store = try SQLiteServerStore(path: (state as NSString).appendingPathComponent("olafd.sqlite"))
        var stored: [String: UInt64] = [:]
        for index in 0..<counters {
            stored[Base64.encode(SHA256Hasher.hash(utf8: "olaf-bench sender \(index)"))] = UInt64(index + 1)
        }
        try await store.saveCounters(stored)
        let keys = try setup.keyCache.keys(count: neighbours)
        for index in 0..<neighbours {
            try await store.upsertNeighbour(
                address: "127.0.1.\(index + 1):9", publicKeyPEM: keys[index].publicKey.canonicalPEM, at: Date())
        }
        let check = try await (store.counters().count, store.neighbours().count)
        guard check == (counters, neighbours) else {
            throw BenchError.verificationFailed("prepared state holds \(check), not (\(counters), \(neighbours))")
        }
        return state
    }

    /// Starts olafd on `state` once, waits for both events, stops it.
    public func run(state: String, setup: BenchSetup) throws -> (Result, String) {
        let notify = try NotifySocket()
        let server = try OlafdInstance(
            binary: setup.olafd, stateDirectory: state, environment: ["NOTIFY_SOCKET": notify.address])
        defer { server.stop(keepState: true) }
        let begin = ContinuousClock.now
        try server.launch()
        var ready: Duration?
        var listening: Duration?
        while ready == nil || listening == nil {
            let now = ContinuousClock.now
            guard now - begin < .seconds(60) else {
                throw BenchError.timeout("olafd start-up: \(server.log().suffix(500))")
            }
            guard server.isRunning else { throw BenchError.serverDied(server.log()) }
            if ready == nil, notify.hasReceived("READY=1") { ready = now - begin }
            if listening == nil, LoopbackPort.accepts(server.port) { listening = now - begin }
            usleep(500)
        }
        return (Result(readySeconds: ready!.seconds, listeningSeconds: listening!.seconds), server.commandLine)
    }
}
