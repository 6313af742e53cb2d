/// Why an upload to the home server failed. Messages are shown to the user as they are.
public enum UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(limit: Int64?)
    case unreachable(String)
    /// Nothing answers uploads at `url` (connection refused, no such host, 404/405): the file API is elsewhere.
    case noEndpoint(url: String, reason: String)
    case rejected(status: Int, detail: String)
    case badReply(String)
    case lengthRequired
    case bodyShorterThanDeclared

    public var description: String {
        switch self {
        case .tooLarge(let limit?): "the file is too large: at most \(limit) bytes can be sent"
        case .tooLarge(nil): "the home server refused the file as too large (413)"
        case .unreachable(let why): "cannot reach the home server to upload: \(why)"
        case .noEndpoint(let url, let reason):
            "no upload endpoint answers at \(url) (\(reason)). Your home server's file API may live elsewhere "
                + "(some servers serve files on another port, e.g. the WebSocket port + 1000): restart "
                + "olaf-client with --file-api http(s)://HOST:PORT (or set OLAF_CLIENT_FILE_API)"
        case .rejected(let status, let detail): "the home server refused the upload (\(status)): \(detail)"
        case .badReply(let why): "the home server's upload reply is not usable: \(why)"
        case .lengthRequired: "the upload must declare its size (Content-Length)"
        case .bodyShorterThanDeclared: "the upload ended before its declared size"
        }
    }
}
