import HTTPTypes
import Hummingbird

/// HTTP side of the abuse limits: a request on a connection over the per-address connection limit gets 429
/// (a WebSocket upgrade passes through and is closed with 1008 instead, with the reason in the close frame),
/// and `POST /api/upload` over the per-address upload rate, or with too many uploads from that address in
/// progress, gets 429. Bodies are JSON `{"error": "..."}`, and
/// nothing of the request body is read.
struct AbuseLimitMiddleware: RouterMiddleware {
    typealias Context = OlafRequestContext

    let abuse: AbuseGuard

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let isUpgrade = request.headers[.upgrade]?.lowercased() == "websocket"
        if !isUpgrade, abuse.isOverConnectionLimit(context.channel) {
            var response = FileRoutes.errorResponse(.tooManyRequests, "too many connections from your address")
            response.headers[.connection] = "close"
            return response
        }
        if request.method == .post, Self.isUpload(request.uri.path),
            !abuse.allowUpload(from: context.channel.remoteAddress)
        {
            var response = FileRoutes.errorResponse(
                .tooManyRequests, "too many uploads from your address; try again in a minute")
            response.headers[.retryAfter] = "60"
            response.headers[.connection] = "close"
            return response
        }
        if request.method == .post, Self.isUpload(request.uri.path) {
            let address = context.channel.remoteAddress
            guard abuse.uploadStarted(from: address) else {
                var response = FileRoutes.errorResponse(
                    .tooManyRequests, "too many uploads in progress from your address; wait for one to finish")
                response.headers[.retryAfter] = "10"
                response.headers[.connection] = "close"
                return response
            }
            defer { abuse.uploadEnded(from: address) }
            return try await next(request, context)
        }
        return try await next(request, context)
    }

    /// `/api/upload`, however its slashes are doubled or trailed (so no spelling the router accepts slips past).
    static func isUpload(_ path: String) -> Bool {
        path.lowercased().split(separator: "/", omittingEmptySubsequences: true) == ["api", "upload"]
    }
}
