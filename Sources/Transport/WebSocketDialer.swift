public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
import NIOWebSocket

/// Dials a WebSocket server (`ws://` or `wss://`) and runs the connection on its event loop exactly as an
/// accepted one (`WebSocketPeerHandler`, `ChannelOutbox`), with the client's frames masked. The whole
/// handshake — TCP, TLS, the upgrade — is bounded by one deadline on the event loop.
public enum WebSocketDialer {
    /// Where to dial.
    public struct Target: Sendable {
        public var host: String
        public var port: Int
        /// The request path of the upgrade (`/` for OLAF peers).
        public var path: String
        /// TLS for `wss://`; nil for `ws://`.
        public var tls: TLSConfiguration?

        public init(host: String, port: Int, path: String = "/", tls: TLSConfiguration? = nil) {
            self.host = host
            self.port = port
            self.path = path
            self.tls = tls
        }
    }

    /// Why a dial failed after TCP connected.
    public enum DialError: Error, CustomStringConvertible, Equatable {
        /// The server answered the upgrade request with something other than 101.
        case upgradeRefused
        /// TCP, TLS and the upgrade did not complete within the deadline.
        case handshakeTimeout(TimeAmount)

        public var description: String {
            switch self {
            case .upgradeRefused: "the server did not accept the WebSocket upgrade"
            case .handshakeTimeout(let timeout):
                "no WebSocket handshake within \(timeout.nanoseconds / 1_000_000) ms (TCP, TLS and the upgrade)"
            }
        }
    }

    /// Connects and upgrades; returns the peer `makePeer` created (on the event loop, once upgraded), whose
    /// connection then runs on its own. Throws when the dial, TLS, or the upgrade fails or times out.
    public static func connect<Peer: WebSocketPeer & Sendable>(
        to target: Target, group: any EventLoopGroup, maxFrameBytes: Int, handshakeTimeout: TimeAmount,
        makePeer: @escaping @Sendable (any Channel) throws -> (
            peer: Peer, outbox: ChannelOutbox, configuration: WebSocketPeerConfiguration
        )
    ) async throws -> Peer {
        let sslContext = try target.tls.map { try NIOSSLContext(configuration: $0) }
        let upgraded = try await ClientBootstrap(group: group)
            .connectTimeout(handshakeTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try configure(
                        channel, target: target, sslContext: sslContext, maxFrameBytes: maxFrameBytes,
                        handshakeTimeout: handshakeTimeout, makePeer: makePeer)
                }
            }
        guard let peer = try await upgraded.get() else { throw DialError.upgradeRefused }
        return peer
    }

    private static func configure<Peer: WebSocketPeer & Sendable>(
        _ channel: any Channel, target: Target, sslContext: NIOSSLContext?, maxFrameBytes: Int,
        handshakeTimeout: TimeAmount,
        makePeer: @escaping @Sendable (any Channel) throws -> (
            peer: Peer, outbox: ChannelOutbox, configuration: WebSocketPeerConfiguration
        )
    ) throws -> EventLoopFuture<Peer?> {
        let pipeline = channel.pipeline.syncOperations
        if let sslContext {
            // SNI and hostname verification take a name; an IP literal is verified against the certificate's
            // IP addresses instead.
            let name = isIPLiteral(target.host) ? nil : target.host
            try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: name))
        }
        let upgrader = NIOTypedWebSocketClientUpgrader<Peer?>(
            maxFrameSize: maxFrameBytes,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let (peer, outbox, configuration) = try makePeer(channel)
                    try channel.pipeline.syncOperations.addHandler(
                        WebSocketPeerHandler(outbox: outbox, peer: peer, configuration: configuration))
                    return peer
                }
            })
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: hostHeader(target))
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path, headers: headers)
        var configuration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration<Peer?>(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(nil) }))
        // Frames the server sends right behind its 101 reach the WebSocket decoder.
        configuration.leftOverBytesStrategy = .forwardBytes
        let upgraded = try pipeline.configureUpgradableHTTPClientPipeline(configuration: configuration)
        let timedOut = channel.eventLoop.makePromise(of: Peer?.self)
        let deadline = channel.eventLoop.scheduleTask(in: handshakeTimeout) {
            timedOut.fail(DialError.handshakeTimeout(handshakeTimeout))
            channel.close(promise: nil)
        }
        upgraded.whenComplete { result in
            deadline.cancel()
            timedOut.completeWith(result)
        }
        return timedOut.futureResult
    }

    /// `host:port` for the Host header (IPv6 literals in brackets).
    private static func hostHeader(_ target: Target) -> String {
        let host = target.host.contains(":") ? "[\(target.host)]" : target.host
        return "\(host):\(target.port)"
    }

    private static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
