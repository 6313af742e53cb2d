import OlafTestSupport
import Client
import Core
import Foundation
import Logging
import OlafCrypto
import Testing

/// One client engine with its own temporary store, running until `stop()`.
final class EngineHarness: Sendable {
    let engine: ClientEngine
    let store: ClientStore
    let storePath: String
    private let task: Task<Void, Never>

    var fingerprint: String { engine.fingerprint }

    /// Opens an engine for `key` on `server` (a new store unless `storePath` is given) and starts it.
    static func start(
        on server: ServerAddress, key: RSAPrivateKey? = nil, storePath: String? = nil,
        configure: (inout EngineConfiguration) -> Void = { _ in }
    ) async throws -> EngineHarness {
        let path = storePath ?? Self.temporaryStorePath()
        let store = try ClientStore(path: path)
        var configuration = EngineConfiguration(home: server, initialBackoff: .milliseconds(50))
        configure(&configuration)
        var logger = Logger(label: "client-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["OLAF_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let engine = try await ClientEngine.open(
            key: try key ?? TestKeys.user(), store: store, configuration: configuration, logger: logger)
        return EngineHarness(engine: engine, store: store, storePath: path)
    }

    private init(engine: ClientEngine, store: ClientStore, storePath: String) {
        self.engine = engine
        self.store = store
        self.storePath = storePath
        self.task = Task { await engine.run() }
    }

    static func temporaryStorePath() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "olaf-client-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("client.sqlite").path
    }

    /// Stops the engine and waits (bounded) for its loop to end.
    func stop() async {
        task.cancel()
        if await !taskFinished(task, within: .seconds(20)) {
            Issue.record("the engine did not stop within 20 s of being cancelled")
        }
    }

    var isOnline: Bool { get async { await engine.snapshot().connection.state == .online } }

    /// Whether the engine's current client list shows every one of `fingerprints`.
    func sees(_ fingerprints: [String]) async -> Bool {
        let listed = Set(await engine.snapshot().servers.flatMap(\.fingerprints))
        return fingerprints.allSatisfy(listed.contains)
    }

    /// Messages stored in `conversation`.
    func messages(in conversation: String) async -> [MessageRecord] {
        (try? await store.messages(in: conversation)) ?? []
    }

    /// Waits until a message with `text` is stored in `conversation`.
    func waitForMessage(_ text: String, in conversation: String) async -> MessageRecord? {
        var found: MessageRecord?
        _ = await waitUntil {
            found = await self.messages(in: conversation).first { $0.text == text }
            return found != nil
        }
        return found
    }
}
