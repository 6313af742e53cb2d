import Core
import Foundation
public import Logging
import OlafCrypto

/// The daemon's one user session: locked until the keystore is unlocked (or a key created), then an engine
/// running against the home server. The UI and the CLI drive it; `EngineService` runs the engine it starts.
public actor UserSession {
    public nonisolated let keystore: ClientKeystore
    public nonisolated let store: ClientStore
    public nonisolated let configuration: EngineConfiguration
    /// Events for the UI, before and after unlocking.
    public nonisolated let events: EventHub
    let logger: Logger
    private var current: ClientEngine?
    private let started: AsyncStream<ClientEngine>.Continuation
    /// Yields the engine once, when the session is unlocked.
    nonisolated let startedEngines: AsyncStream<ClientEngine>

    public init(keystore: ClientKeystore, store: ClientStore, configuration: EngineConfiguration, logger: Logger) {
        self.keystore = keystore
        self.store = store
        self.configuration = configuration
        self.events = EventHub()
        self.logger = logger
        (startedEngines, started) = AsyncStream.makeStream(of: ClientEngine.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The running engine, nil while locked.
    public var engine: ClientEngine? { current }

    /// Opens the existing key with `passphrase` and starts the engine.
    @discardableResult
    public func unlock(passphrase: String) async throws -> ClientEngine {
        if let current { return current }
        return try await start(with: try keystore.unlock(passphrase: passphrase))
    }

    /// Creates a new key sealed with `passphrase` and starts the engine.
    @discardableResult
    public func create(passphrase: String) async throws -> ClientEngine {
        if current != nil { throw ClientKeystoreError.keyAlreadyExists(keyFile: keystore.keyFile) }
        return try await start(with: try keystore.create(passphrase: passphrase))
    }

    /// Unlocks, or creates on first run (headless `--passphrase-file`).
    @discardableResult
    public func unlockOrCreate(passphrase: String) async throws -> ClientEngine {
        keystore.exists ? try await unlock(passphrase: passphrase) : try await create(passphrase: passphrase)
    }

    private func start(with key: RSAPrivateKey) async throws -> ClientEngine {
        if let current { return current }
        let engine = try await ClientEngine.open(
            key: key, store: store, configuration: configuration, events: events, logger: logger)
        current = engine
        started.yield(engine)
        started.finish()
        logger.notice("unlocked", metadata: ["fingerprint": "\(engine.fingerprint)"])
        events.publish(.connection(ConnectionStatus(state: .connecting)))
        return engine
    }

    /// Stops waiting for an unlock (shutdown before anyone unlocked).
    public func close() {
        started.finish()
        events.finish()
    }
}
