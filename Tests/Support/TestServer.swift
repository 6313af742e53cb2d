public import Core
import Foundation
import Hummingbird
import Logging
import NIOPosix
public import OlafCrypto
public import Server
import Synchronization
import Testing
import ServiceLifecycle

/// A real olafd application running in this process on 127.0.0.1, with real sockets. Its state lives in a
/// temporary directory (SQLite), so a test can stop it and start it again on the same state.
public final class TestServer: Sendable {
    public let port: Int
    public let key: RSAPrivateKey
    public let stateDirectory: String
    public let server: OlafServer
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    public var address: ServerAddress { server.hub.ownAddress }
    public var url: String { "ws://127.0.0.1:\(port)/" }
    public var hub: RelayHub { server.hub }

    private let finished: FinishedFlag
    /// This server's own event loop: a test that keeps a loop busy (a client's multi-megabyte frame is unmasked
    /// byte by byte, seconds in a debug build) then stalls only its own server, not every server of the run.
    private let eventLoops: MultiThreadedEventLoopGroup

    private init(
        port: Int, key: RSAPrivateKey, stateDirectory: String, server: OlafServer, group: ServiceGroup,
        task: Task<Void, any Error>, finished: FinishedFlag, eventLoops: MultiThreadedEventLoopGroup
    ) {
        self.eventLoops = eventLoops
        self.group = group
        self.finished = finished
        self.port = port
        self.key = key
        self.stateDirectory = stateDirectory
        self.server = server
        self.task = task
    }

    /// The per-client and per-address rates every test server starts with (tests override them as they need):
    /// every test client comes from 127.0.0.1 and many send bursts no person would, so the shipped defaults
    /// (`ServerLimits()`, proved on their own by `ShippedDefaultsTests`) would get in the way of what a test is about.
    public static func testProfile(_ limits: inout ServerLimits) {
        limits.messagesPerSecondPerClient = 500
        limits.messageBurstPerClient = 1000
        limits.listAnswersPerSecond = 1000
        limits.abuse.hellosPerMinutePerAddress = 6000
        limits.abuse.helloBurstPerAddress = 1000
        limits.abuse.bytesPerSecondPerClient = 1_048_576
        limits.abuse.byteBurstPerClient = 8_388_608
        // Dozens of servers start at once in a test run: a hello that arrived on time but whose connection task
        // was scheduled late must not be cut (tests of the hello timeout set their own).
        limits.helloTimeout = .seconds(30)
    }

    /// The same as `olafd --set` arguments, for tests that run the olafd binary.
    public static let testProfileArguments = [
        "limits.messages_per_second=500", "limits.message_burst=1000", "limits.list_answers_per_second=1000",
        "limits.hellos_per_minute_per_ip=6000", "limits.hello_burst_per_ip=1000", "limits.bytes_per_second=1048576",
        "limits.byte_burst=8388608", "limits.hello_timeout_seconds=30",
    ].flatMap { ["--set", $0] }

    /// Starts a server; returns once it is ready (both listeners bound, as for READY=1).
    public static func start(
        port: Int? = nil, key: RSAPrivateKey? = nil, stateDirectory: String? = nil,
        neighbours: [Neighbour] = [], configure: (inout ServerConfiguration) -> Void = { _ in }
    )
        async throws -> TestServer
    {
        let port = try port ?? TestPorts.free()
        let key = try key ?? TestKeys.server()
        let directory =
            stateDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("olafd-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configuration.listenHost = "127.0.0.1"
        configuration.listenPort = port
        configuration.stateDirectory = directory
        configuration.counterFlushInterval = .milliseconds(20)
        testProfile(&configuration.limits)
        configure(&configuration)
        var logger = Logger(label: "olafd-test-\(port)")
        logger.logLevel =
            ProcessInfo.processInfo.environment["OLAF_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let store = try SQLiteServerStore(path: (directory as NSString).appendingPathComponent("olafd.sqlite"))
        for neighbour in neighbours { try await store.upsertNeighbour(neighbour, at: Date()) }
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server: OlafServer
        do {
            server = try await OlafServer.prepare(
                configuration: configuration, key: key, store: store, logger: logger, eventLoopGroup: eventLoops)
        } catch {
            try? await eventLoops.shutdownGracefully()
            throw error
        }
        let (running, runningContinuation) = AsyncStream.makeStream(of: Void.self)
        // Ready once both listeners are bound (the control socket restricted too), not merely the public one.
        let app = try server.application { _ in }
        let group = try server.serviceGroup(running: app, signals: [], trapHangup: false) {
            runningContinuation.yield()
        }
        let finished = FinishedFlag()
        let task = Task {
            defer {
                finished.set()
                runningContinuation.finish()
            }
            try await group.run()
        }
        var started = false
        for await _ in running {
            started = true
            break
        }
        guard started else {
            let outcome = await task.result
            try? await eventLoops.shutdownGracefully()
            try outcome.get()
            throw TestServerError.stoppedBeforeListening(port: port)
        }
        return TestServer(
            port: port, key: key, stateDirectory: directory, server: server, group: group, task: task,
            finished: finished, eventLoops: eventLoops)
    }

    /// The neighbour entry other servers configure for this one.
    public var asNeighbour: Neighbour { Neighbour(address: address, publicKey: key.publicKey) }

    /// Stops the server the way SIGTERM does (graceful shutdown) and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        // Generous: it returns as soon as the server is done (about 2 s of close grace), but a CI machine running
        // every suite at once on 2 cores can take far longer to schedule the shutdown's steps.
        if await !waitUntil(timeout: .seconds(60), { finished.isSet }) {
            Issue.record("server on port \(port) did not finish its graceful shutdown within 60 s")
            task.cancel()
        }
        if await !taskFinished(task, within: .seconds(15)) {
            Issue.record("server on port \(port) did not stop within 15 s of being cancelled")
            return
        }
        try? await eventLoops.shutdownGracefully()
    }
}

public enum TestServerError: Error {
    case stoppedBeforeListening(port: Int)
}

/// Set once the server task has returned.
final class FinishedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
