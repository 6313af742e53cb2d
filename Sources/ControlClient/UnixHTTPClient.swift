import Foundation

/// A minimal HTTP/1.1 client over a Unix socket, for `olafctl` talking to olafd's control API. One request per
/// connection (`Connection: close`); blocking, which is what a command-line tool wants.
public struct UnixHTTPClient: Sendable {
    public let socketPath: String
    /// Largest response accepted.
    public var maxResponseBytes = 16 << 20
    /// How long one read or write may wait for olafd: a hung olafd makes olafctl fail with `.timedOut` instead of
    /// waiting forever.
    public var timeout = Duration.seconds(30)

    public init(socketPath: String) { self.socketPath = socketPath }

    /// An HTTP response: status code and body.
    public struct Response: Sendable {
        public let status: Int
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends one request and reads the whole response.
    public func send(_ method: String, _ path: String, body: [UInt8] = []) throws(ControlClientError) -> Response {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .io("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected != 0 {
            switch errno {
            case ENOENT: throw .notRunning(socketPath: socketPath, reason: "no socket at \(socketPath)")
            case ECONNREFUSED: throw .notRunning(socketPath: socketPath, reason: "nothing listens on \(socketPath)")
            case EACCES, EPERM: throw .permissionDenied(socketPath: socketPath)
            default: throw .io("connect \(socketPath): \(String(cString: strerror(errno)))")
            }
        }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: olafd\r\nConnection: close\r\nAccept: application/json\r\n"
        if !body.isEmpty || method == "POST" {
            request += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        }
        setTimeouts(descriptor)
        let bytes = Array((request + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timedOut(seconds: timeoutSeconds) }
            guard written > 0 else { throw .io("write: \(String(cString: strerror(errno)))") }
            sent += written
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            // With a timeout set, Linux fails a blocked read with EINTR after a stop and continue (Ctrl-Z, fg).
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timedOut(seconds: timeoutSeconds) }
            if count < 0 { throw .io("read: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            response += chunk[0..<count]
            guard response.count <= maxResponseBytes else {
                throw .io("response larger than \(maxResponseBytes) bytes")
            }
        }
        return try HTTPResponseParser.parse(response)
    }

    private var timeoutSeconds: Int { Int(timeout.components.seconds) }

    /// SO_RCVTIMEO and SO_SNDTIMEO of `timeout` on `descriptor`.
    private func setTimeouts(_ descriptor: Int32) {
        var value = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            _ = setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }
}

/// Parses a complete HTTP/1.1 response (Content-Length, chunked, or read-to-close bodies).
enum HTTPResponseParser {
    static func parse(_ bytes: [UInt8]) throws(ControlClientError) -> UnixHTTPClient.Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headerEnd = bytes.firstRange(of: separator) else { throw .io("malformed response from olafd") }
        let head = String(decoding: bytes[..<headerEnd.lowerBound], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw .io("empty response from olafd") }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw .io("malformed status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(bytes[headerEnd.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let length = headers["content-length"].flatMap({ Int($0) }), length <= body.count {
            body = Array(body.prefix(length))
        }
        return .init(status: status, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws(ControlClientError) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10]) else { throw .io("malformed chunked body") }
            let sizeText =
                String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw .io("malformed chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { throw .io("truncated chunked body") }
            output += bytes[start..<start + size]
            index = start + size + 2
        }
        return output
    }
}
