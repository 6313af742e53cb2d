import HTTPTypes
import Hummingbird

/// Plain HTTP requests that reach the main listener without a WebSocket upgrade. Upgrades are decided by a
/// router of their own (any path upgrades, as protocol.md asks), so this router only ever sees requests that
/// did not ask for one: a `GET` or `HEAD` of a path peers use for WebSockets (`/`, `/ws`, `/client`,
/// `/server`) answers 426 Upgrade Required with `Upgrade: websocket`; every other path that is not the file
/// API falls through to the router's 404 (scanners must not conclude that `/admin` or `/.env` exist).
enum WebSocketEndpointRoutes {
    /// The paths peers are known to dial (protocol.md: "peers use `/`, `/ws`, `/client`, `/server`").
    static let paths: [String] = ["/", "/ws", "/client", "/server"]

    /// Adds the 426 answers for `paths` to `router`.
    static func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        for path in paths {
            router.get(RouterPath(path)) { _, _ in upgradeRequired }
            router.head(RouterPath(path)) { _, _ in upgradeRequired }
        }
    }

    /// 426 with `Upgrade: websocket` and a JSON error body saying what to do.
    static var upgradeRequired: Response {
        var response = FileRoutes.errorResponse(
            .upgradeRequired, "this is an OLAF WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)")
        response.headers[.upgrade] = "websocket"
        response.headers[.connection] = "Upgrade"
        return response
    }
}
