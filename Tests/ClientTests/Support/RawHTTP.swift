import OlafTestSupport
import Foundation

/// A minimal blocking HTTP/1.1 client over a loopback socket, so tests control every header byte (Host,
/// Origin, Upgrade) the way an attacker's browser or script would.
enum RawHTTP {
    struct Response {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `request` (complete bytes) to 127.0.0.1:`port` and reads until the peer closes or `maxBytes`.
    /// The blocking socket work runs on a Dispatch thread, never on the (small) Swift concurrency pool that the
    /// in-process server under test needs.
    static func send(_ request: [UInt8], port: Int, maxBytes: Int = 8 << 20) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingSend(request, port: port, maxBytes: maxBytes) })
            }
        }
    }

    private static func blockingSend(_ request: [UInt8], port: Int, maxBytes: Int) throws -> Response {
        let descriptor = Loopback.tcpSocket()
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard Loopback.withAddress(port: port, { connect(descriptor, $0, $1) }) == 0 else {
            throw POSIXError(.ECONNREFUSED)
        }
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw POSIXError(.EPIPE) }
            offset += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.count < maxBytes {
            let count = Loopback.receive(descriptor, into: &buffer)
            if count <= 0 { break }
            received += buffer[0..<count]
            if let response = parse(received), response.complete { return response.response }
        }
        guard let response = parse(received) else { throw POSIXError(.EBADMSG) }
        return response.response
    }

    /// A GET (or other bodyless request) with exactly the given headers, plus `Connection: close`.
    static func request(
        _ method: String = "GET", path: String, port: Int, headers: [(String, String)], body: [UInt8] = []
    ) async throws -> Response {
        var text = "\(method) \(path) HTTP/1.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let declared = headers.contains { $0.0.caseInsensitiveCompare("Content-Length") == .orderedSame }
        if !declared && (!body.isEmpty || method == "POST") { text += "Content-Length: \(body.count)\r\n" }
        text += "Connection: close\r\n\r\n"
        return try await send(Array(text.utf8) + body, port: port)
    }

    private static func parse(_ bytes: [UInt8]) -> (response: Response, complete: Bool)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.firstRange(of: separator) else { return nil }
        let headText = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let body = Array(bytes[end.upperBound...])
        let response = Response(status: status, headers: headers, body: body)
        if status == 101 { return (response, true) }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            return (Response(status: status, headers: headers, body: Array(body.prefix(length))), body.count >= length)
        }
        return (response, false)
    }
}
