public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import HTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// One listener for both WebSockets and plain HTTP: a request carrying `Upgrade: websocket` (on any path) is
/// upgraded with NIO's typed upgrader and the connection then lives on its event loop — a `WebSocketPeerHandler`
/// and the `WebSocketPeer` that `makePeer` gives it, no task; every other request goes to the Hummingbird
/// responder (the router), as `HTTP1Channel` would serve it.
public struct WebSocketListenerChannel: ServerChildChannel, HTTPChannelHandler {
    /// What became of a new connection.
    public enum Negotiated: Sendable {
        /// Upgraded: it runs on its event loop from now on.
        case webSocket
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// Asked for an upgrade the WebSocket handshake refused (e.g. no `Sec-WebSocket-Key`): answered 400.
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        public let channel: any Channel
    }

    /// Creates the session logic of a new WebSocket connection (on its event loop) and the outbox it writes to.
    public typealias MakePeer = @Sendable (_ channel: any Channel) throws -> (
        peer: any WebSocketPeer, outbox: ChannelOutbox, configuration: WebSocketPeerConfiguration
    )

    public let responder: HTTPChannelHandler.Responder
    private let http1: HTTP1Channel.Configuration
    private let maxFrameBytes: Int
    private let makePeer: MakePeer

    /// - Parameters:
    ///   - responder: serves the requests that are not upgrades.
    ///   - http1: the plain-HTTP side (idle timeout, decoder limits).
    ///   - maxFrameBytes: the largest single WebSocket frame NIO's decoder accepts (1009 beyond).
    public init(
        responder: @escaping HTTPChannelHandler.Responder, http1: HTTP1Channel.Configuration, maxFrameBytes: Int,
        makePeer: @escaping MakePeer
    ) {
        self.responder = responder
        self.http1 = http1
        self.maxFrameBytes = maxFrameBytes
        self.makePeer = makePeer
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let makePeer = self.makePeer
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: maxFrameBytes,
                shouldUpgrade: { channel, _ in
                    upgradeAttempted.value = true
                    return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        let (peer, outbox, configuration) = try makePeer(channel)
                        try channel.pipeline.syncOperations.addHandler(
                            WebSocketPeerHandler(outbox: outbox, peer: peer, configuration: configuration))
                        return .webSocket
                    }
                })
            let http1 = self.http1
            let notUpgrading = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try pipeline.addHandlers(http1.additionalChannelHandlers())
                        try pipeline.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .init($0) }, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                        return upgradeAttempted.value ? .failedUpgrade(http) : .http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(
                upgradeConfiguration: notUpgrading)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                configuration: configuration)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .webSocket:
                // Nothing to wait for: the connection lives on its event loop; the listener's quiescing closes it.
                return
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .failedUpgrade(let http):
                try await http.executeThenClose { _, outbound in
                    let response = HTTPResponse(
                        status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                    try await outbound.write(contentsOf: [.head(response), .end(nil)])
                }
            }
        } catch {
            logger.debug("connection ended before it was served", metadata: ["error": "\(error)"])
        }
    }
}
