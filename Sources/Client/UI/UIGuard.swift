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
/// 3. the access token must come as `Authorization: Bearer TOKEN` or as the cookie set when the page was first
///    opened with `/?token=TOKEN` (HttpOnly, SameSite=Strict, then redirected so the token leaves the address
///    bar): 401.
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

    /// The cookie name carries the port: cookies are not port-scoped, and two daemons must not share one.
    func cookieName(port: Int) -> String { "olaf_ui_\(port)" }

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
        let cookie = cookieName(port: port)
        if request.uri.path == "/", let presented = request.uri.queryParameters.get("token") {
            guard token.matches(presented) else { return Self.refuse(.unauthorized, "wrong access token") }
            var headers = HTTPFields()
            headers[.location] = "/"
            headers[.setCookie] = "\(cookie)=\(token.value); Path=/; HttpOnly; SameSite=Strict"
            return Self.secured(Response(status: .seeOther, headers: headers))
        }
        guard isAuthorised(request, cookie: cookie) else {
            return Self.refuse(.unauthorized, "missing or wrong access token: open the URL olaf-client printed")
        }
        do {
            return Self.secured(try await next(request, context))
        } catch let error as HTTPError {
            return Self.refuse(error.status, error.body ?? error.status.reasonPhrase)
        }
    }

    private func isAuthorised(_ request: Request, cookie: String) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return token.matches(header.dropFirst("Bearer ".count))
        }
        if let value = request.cookies[cookie]?.value { return token.matches(value) }
        return false
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
