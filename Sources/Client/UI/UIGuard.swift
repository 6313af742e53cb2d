import Foundation
public import Hummingbird
import HTTPTypes
import Synchronization

/// The port the UI actually listens on (known once bound, when asked for port 0).
public final class BoundPort: Sendable {
    private let value = Mutex<Int?>(nil)
    public init(_ port: Int? = nil) { value.withLock { $0 = port } }
    public var port: Int? { value.withLock { $0 } }
    public func set(_ port: Int) { value.withLock { $0 = port } }
}

/// Every UI request passes here first:
/// 1. the Host header must name the address we serve (`127.0.0.1:PORT`, or `localhost:PORT`): DNS rebinding
///    gets 421;
/// 2. an Origin header, when present, must be our own origin, and `Sec-Fetch-Site: cross-site` is refused: 403
///    (no cross-site requests, no cross-origin WebSocket);
/// 3. the API needs the access token, as `Authorization: Bearer TOKEN` — or, on the `/api/events` WebSocket
///    upgrade (browsers cannot set headers there), as a `Sec-WebSocket-Protocol` entry `olaf-token.TOKEN`: 401.
///    No cookie: cookies are not port-scoped, and a navigation between two loopback ports is same-site, so a
///    cookie would reach any other local port a chat link points to. The page gets the token from the URL's
///    fragment (never sent to a server nor in a Referer), keeps it in the tab's `sessionStorage` (scoped to this
///    origin, port included) and removes it from the address bar.
///    The static files (page, script, style, icon) carry no secret and need no token.
/// Every response carries a strict Content-Security-Policy and no-sniff/no-frame/no-referrer headers.
public struct UIGuard<Context: RequestContext>: RouterMiddleware {
    let token: AccessToken
    let address: UIAddress
    let bound: BoundPort

    public init(token: AccessToken, address: UIAddress, bound: BoundPort) {
        self.token = token
        self.address = address
        self.bound = bound
    }

    public static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    /// Paths served without the token: the static files, which carry no secret.
    static var publicPaths: Set<String> { ["/", "/index.html", "/app.js", "/style.css", "/icon.svg"] }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let port = bound.port else { return Self.refuse(.serviceUnavailable, "starting") }
        let authorities = [address.authority(port: port), "localhost:\(port)"]
        guard let host = request.head.authority?.lowercased(), authorities.contains(host) else {
            return Self.refuse(.misdirectedRequest, "wrong Host header: open the URL olaf-client printed")
        }
        if let origin = request.headers[.origin] {
            guard authorities.map({ "http://" + $0 }).contains(origin.lowercased()) else {
                return Self.refuse(.forbidden, "cross-origin request refused")
            }
        }
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site" {
            return Self.refuse(.forbidden, "cross-site request refused")
        }
        if request.method != .get || !Self.publicPaths.contains(request.uri.path) {
            guard isAuthorised(request) else {
                return Self.refuse(.unauthorized, "missing or wrong access token: open the URL `olaf-client url` prints")
            }
        }
        do {
            return Self.secured(try await next(request, context))
        } catch let error as HTTPError {
            return Self.refuse(error.status, error.body ?? error.status.reasonPhrase)
        }
    }

    private func isAuthorised(_ request: Request) -> Bool {
        if let header = request.headers[.authorization] {
            return header.hasPrefix("Bearer ") && token.matches(header.dropFirst("Bearer ".count))
        }
        guard request.uri.path == "/api/events", request.headers[.upgrade]?.lowercased() == "websocket" else {
            return false
        }
        // Every Sec-WebSocket-Protocol line, each a comma-separated list.
        let offered = request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
        return offered.contains { entry in
            let entry = entry.trimmingCharacters(in: .whitespaces)
            return entry.hasPrefix(AccessToken.subprotocolPrefix)
                && token.matches(entry.dropFirst(AccessToken.subprotocolPrefix.count))
        }
    }

    /// Adds the security headers every response carries.
    static func secured(_ response: Response) -> Response {
        var response = response
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// A JSON error response with the security headers.
    static func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        secured(JSONResponse.error(status, message))
    }
}
