public import Core
import Foundation

/// Where the home server's file API lives (interop rule 9, "File transfer": usually the home server's own host
/// and port, but a deployed server may serve it elsewhere, e.g. on its WebSocket port + 1000). Set with
/// `--file-api URL`. Only `http://` and `https://` URLs without user info, query or fragment are accepted; a path
/// is kept as a prefix (`https://files.example.org/olaf` uploads to `/olaf/api/upload`).
public struct FileAPIBase: Sendable, Equatable, CustomStringConvertible {
    /// Host, port and whether to speak TLS.
    public let server: ServerAddress
    /// The path before `/api/upload`: empty, or starting with `/` and not ending with one.
    public let pathPrefix: String

    /// Longest setting accepted.
    static let maxLength = 300

    /// The home server's own HTTP(S) base: same host, port and TLS as its WebSocket address.
    public init(home: ServerAddress) {
        server = home
        pathPrefix = ""
    }

    /// Parses and validates a `--file-api` setting.
    public init(parsing text: String) throws(FileAPIBaseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.utf8.count <= Self.maxLength else { throw .tooLong(limit: Self.maxLength) }
        let lowered = trimmed.lowercased()
        let tls: Bool
        if lowered.hasPrefix("http://") {
            tls = false
        } else if lowered.hasPrefix("https://") {
            tls = true
        } else {
            throw .notHTTP(trimmed)
        }
        let rest = trimmed.drop { $0 != ":" }.dropFirst(3)
        guard !rest.contains("?"), !rest.contains("#") else { throw .queryOrFragment }
        let authority = rest.prefix { $0 != "/" }
        guard !authority.contains("@") else { throw .userInfo }
        var path = String(rest.dropFirst(authority.count))
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/%")
        guard path.allSatisfy(allowed.contains) else { throw .badPath(path) }
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/api/upload") { path.removeLast("/api/upload".count) }
        do {
            server = try ServerAddress(parsing: (tls ? "https://" : "http://") + authority)
        } catch {
            throw .badHost(String(authority), error)
        }
        pathPrefix = path
    }

    /// `http(s)://host:port[/prefix]`, no trailing slash.
    public var baseURL: String { server.httpBase + pathPrefix }

    /// The upload endpoint: `baseURL + "/api/upload"`.
    public var uploadURL: String { server.httpBase + uploadPath }

    /// The request target of the upload.
    public var uploadPath: String { pathPrefix + "/api/upload" }

    public var description: String { baseURL }
}

/// Why a `--file-api` setting was refused. Messages are shown as they are.
public enum FileAPIBaseError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLong(limit: Int)
    case notHTTP(String)
    case userInfo
    case queryOrFragment
    case badPath(String)
    case badHost(String, AddressError)

    public var description: String {
        switch self {
        case .empty: "the file API URL is empty; write http://HOST:PORT or https://HOST:PORT"
        case .tooLong(let limit): "the file API URL is longer than \(limit) bytes"
        case .notHTTP(let text):
            "the file API URL \"\(text.prefix(80))\" must start with http:// or https:// (e.g. http://HOST:PORT)"
        case .userInfo: "the file API URL must not contain a user name or password (user@host)"
        case .queryOrFragment: "the file API URL must not contain a query (?…) or fragment (#…)"
        case .badPath(let path):
            "the file API URL's path \"\(path.prefix(80))\" has characters other than A-Z a-z 0-9 - . _ ~ / %"
        case .badHost(let host, let error): "the file API URL's host \"\(host.prefix(80))\" is not usable: \(error)"
        }
    }
}
