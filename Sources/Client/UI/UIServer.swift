import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import HTTPListener
public import Logging
import NIOCore

/// The browser UI server: one Hummingbird application on the loopback address, every route behind `UIGuard`,
/// live updates on a WebSocket at `/api/events`.
public struct UIServer: Sendable {
    public let address: UIAddress
    public let token: AccessToken
    public let bound: BoundPort
    let routes: UIRoutes
    let logger: Logger

    public init(address: UIAddress, token: AccessToken, routes: UIRoutes, logger: Logger) {
        self.address = address
        self.token = token
        self.bound = BoundPort(address.port == 0 ? nil : address.port)
        self.routes = routes
        self.logger = logger
    }

    /// How long a UI connection may stay silent before its first request is complete, or between requests.
    static let idleTimeout = Duration.seconds(30)

    /// The URL to open: the token rides in the fragment, which the browser never sends (UIGuard).
    public func url(port: Int) -> String { "http://\(address.authority(port: port))/#token=\(token.value)" }

    /// The application; `onListening` gets the URL once the port is bound.
    public func application(onListening: @escaping @Sendable (_ port: Int, _ url: String) async -> Void)
        -> some ApplicationProtocol
    {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: UIGuard(token: token, address: address, bound: bound))
        routes.register(on: router)
        let bound = self.bound
        let server = self
        let webSocketResponder = router.buildResponder()
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            // A browser keeps idle connections open; they must not outlive their use (or hold a shutdown).
            http1: .init(idleTimeout: TimeAmount(Self.idleTimeout)), ws: .init(maxFrameSize: 1 << 16))
        // The guard closes connections that have sent no request (a browser's preconnected sockets) on
        // shutdown and after the deadline: a stop must not wait for them (issue 15 item 3).
        let http = HTTPServerBuilder { responder in
            FirstRequestGuardChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                deadline: TimeAmount(Self.idleTimeout))
        }
        return Application(
            router: router,
            server: http,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? server.address.port
                bound.set(port)
                await onListening(port, server.url(port: port))
            },
            logger: logger)
    }
}
