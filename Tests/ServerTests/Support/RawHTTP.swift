import OlafTestSupport
import Foundation

/// A minimal blocking HTTP/1.1 exchange over a raw socket, optionally from another loopback source address
/// (127.0.0.2 and so on reach 127.0.0.1 on Linux), so tests can act as a second IP. Call it through `offPool`.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends `request` (a complete HTTP/1.1 request) to 127.0.0.1:`port` from `source`, returns the status code
    /// and the whole response text (read until the server closes or 20 s pass).
    static func exchange(port: Int, from source: String = "127.0.0.1", _ request: [UInt8]) throws -> (
        status: Int, text: String
    ) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(description: "bind to \(source) failed") }
        let connected = withLoopbackAddress(port: port) { connect(descriptor, $0, $1) }
        guard connected == 0 else { throw Failure(description: "connect failed") }
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { break }
            sent += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while response.count < 1 << 20 {
            let count = Loopback.receive(descriptor, into: &buffer)
            guard count > 0 else { break }
            response += buffer[0..<count]
            if let text = String(bytes: response, encoding: .utf8), Self.isComplete(text) { break }
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, text)
    }

    /// A raw-body upload of `body` named `name`.
    static func upload(port: Int, from source: String = "127.0.0.1", name: String, body: String) throws -> (
        status: Int, text: String
    ) {
        let head =
            "POST /api/upload?name=\(name) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return try exchange(port: port, from: source, Array((head + body).utf8))
    }

    /// Whether `text` holds a whole response (headers plus Content-Length bytes of body).
    private static func isComplete(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }

    private static func withLoopbackAddress<R>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
