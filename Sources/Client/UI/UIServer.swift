import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
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
        let http = HTTPServerBuilder.http1WebSocketUpgrade(
            webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: 1 << 16)))
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
