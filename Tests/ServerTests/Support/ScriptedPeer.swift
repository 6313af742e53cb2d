import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import OlafTestSupport
import ServiceLifecycle
import Synchronization

/// A WebSocket server on 127.0.0.1 that is not olafd: on every connection it accepts it sends the frames
/// `script` returns (given the first frame it received, or nil when it speaks first), then records what
/// arrives. Test double for whoever answers at a neighbour's configured address: a squatter, a man in the
/// middle, or a deployed server that speaks on the sockets it accepted.
final class ScriptedPeer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let log: FrameLog

    /// Frames received so far, over every connection.
    var received: [String] { log.frames.withLock { $0 } }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, log: FrameLog) {
        self.port = port
        self.group = group
        self.task = task
        self.log = log
    }

    /// Starts the peer; `script` runs once per accepted connection, after its first frame arrives (the dialler's
    /// `server_hello`).
    static func start(port: Int? = nil, script: @escaping @Sendable (_ first: String) -> [String]) async throws
        -> ScriptedPeer
    {
        let port = try port ?? TestPorts.free()
        let log = FrameLog()
        let router = Router(context: BasicWebSocketRequestContext.self)
        let handler: WebSocketDataHandler<WebSocketRouterContext<BasicWebSocketRequestContext>> = {
            inbound, outbound, _ in
            var sent = false
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                log.frames.withLock { $0.append(text) }
                if !sent {
                    sent = true
                    for frame in script(text) { try await outbound.write(.text(frame)) }
                }
            }
        }
        router.ws("/", onUpgrade: handler)
        router.ws("**", onUpgrade: handler)
        let (running, runningContinuation) = AsyncStream.makeStream(of: Void.self)
        var logger = Logger(label: "scripted-peer-\(port)")
        logger.logLevel = .critical
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in runningContinuation.yield() },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        for await _ in running { break }
        return ScriptedPeer(port: port, group: group, task: task, log: log)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await taskFinished(task, within: .seconds(15))
    }
}

/// What a `ScriptedPeer` received, shared with its connection handlers.
private final class FrameLog: Sendable {
    let frames = Mutex<[String]>([])
}
