import OlafTestSupport
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP connection to 127.0.0.1 for attack tests that need every byte under control (raw HTTP
/// requests with hostile headers, WebSocket frames no well-behaved library would send, bodies sent slowly).
/// Every call blocks: use it only inside `offPool`.
final class RawSocket: Sendable {
    let descriptor: Int32

    /// Connects, with a timeout of `timeout` seconds on every read and every write: a test thread blocked on a
    /// peer that stopped reading or writing cannot be cancelled, so no call may block for longer.
    /// - Parameter receiveBuffer: a kernel receive buffer this small (set before connecting, so the window we
    ///   advertise stays small), for a peer that stops reading without the kernel absorbing megabytes for it.
    init(port: Int, timeout: Int = 20, receiveBuffer: Int32? = nil) throws {
        descriptor = Loopback.tcpSocket()
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var ioTimeout = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &ioTimeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &ioTimeout, socklen_t(MemoryLayout<timeval>.size))
        guard Loopback.withAddress(port: port, { connect(descriptor, $0, $1) }) == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes` (MSG_NOSIGNAL: a closed peer is a false return, never SIGPIPE); false once the peer
    /// is gone or has not taken a byte for the write timeout.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads exactly `count` bytes, or fewer if the peer closes or the timeout passes.
    func read(exactly count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while result.count < count {
            let wanted = min(buffer.count, count - result.count)
            let got = Loopback.receive(descriptor, into: &buffer, upTo: wanted)
            if got <= 0 { break }
            result.append(contentsOf: buffer[0..<got])
        }
        return result
    }

    /// Reads until the peer closes, the timeout passes, or `maxBytes` arrived.
    func readToEnd(maxBytes: Int = 1 << 20) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while result.count < maxBytes {
            let got = Loopback.receive(descriptor, into: &buffer)
            if got <= 0 { break }
            result.append(contentsOf: buffer[0..<got])
        }
        return result
    }

    /// Reads and discards until the peer closes the connection (true) or a read times out (false).
    func peerCloses(maxBytes: Int = 1 << 20) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while total < maxBytes {
            let got = Loopback.receive(descriptor, into: &buffer)
            if got == 0 { return true }
            if got < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
            total += got
        }
        return false
    }

    /// Reads an HTTP response head (up to the blank line); nil if the peer closed first.
    func readHead() -> String? {
        var head: [UInt8] = []
        while head.count < 65536 {
            let byte = read(exactly: 1)
            guard let first = byte.first else { return nil }
            head.append(first)
            if head.count >= 4, head.suffix(4) == [13, 10, 13, 10] { return String(decoding: head, as: UTF8.self) }
        }
        return nil
    }

    // MARK: WebSocket

    /// Performs a WebSocket upgrade on `/`; returns whether the server answered 101.
    func upgradeToWebSocket(port: Int) -> Bool {
        send(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        return readHead()?.hasPrefix("HTTP/1.1 101") == true
    }

    /// Sends one masked WebSocket frame (as a client must) with `opcode` (1 text, 2 binary, 8 close, 9 ping).
    @discardableResult
    func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) -> Bool {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return send(frame)
    }

    /// A frame received from the server.
    struct OlafMessage {
        let opcode: UInt8
        let payload: [UInt8]
        /// The close code of a close frame.
        var closeCode: Int? {
            opcode == 8 && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
    }

    /// Reads the next frame; nil when the peer closed or the timeout passed.
    func readFrame() -> OlafMessage? {
        let head = read(exactly: 2)
        guard head.count == 2 else { return nil }
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            let extended = read(exactly: 2)
            guard extended.count == 2 else { return nil }
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            let extended = read(exactly: 8)
            guard extended.count == 8 else { return nil }
            length = extended.reduce(0) { $0 << 8 | Int($1) }
        }
        let payload = read(exactly: length)
        guard payload.count == length else { return nil }
        return OlafMessage(opcode: head[0] & 0x0F, payload: payload)
    }

    /// Reads frames until a close frame (returns its code, or 1005 without one) or until the connection ends
    /// without one (nil).
    func readUntilClose(maxFrames: Int = 10_000) -> Int? {
        for _ in 0..<maxFrames {
            guard let frame = readFrame() else { return nil }
            if frame.opcode == 8 { return frame.closeCode ?? 1005 }
        }
        return nil
    }
}

/// A raw HTTP/1.1 exchange (`Connection: close`), run off the concurrency pool.
struct RawHTTPResponse: Sendable {
    let status: Int
    /// The response head as received (status line and header lines, CRLF separated).
    let head: String
    let body: [UInt8]

    /// The value of header `name` (first occurrence, case-insensitive).
    func header(_ name: String) -> String? {
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].caseInsensitiveCompare(name) == .orderedSame {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Sends `method target` with `headers` and `body` to 127.0.0.1:`port` and reads the whole response.
    static func exchange(
        port: Int, method: String, target: String, headers: [String] = [], body: [UInt8] = []
    ) async throws -> RawHTTPResponse {
        try await onOwnThread {
            let socket = try RawSocket(port: port)
            var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            for header in headers { request += header + "\r\n" }
            if !body.isEmpty || method == "POST" { request += "Content-Length: \(body.count)\r\n" }
            request += "\r\n"
            socket.send(Array(request.utf8) + body)
            let bytes = socket.readToEnd(maxBytes: 64 << 20)
            guard let split = bytes.firstRange(of: [13, 10, 13, 10]) else { throw POSIXError(.EBADMSG) }
            let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self)
            let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return RawHTTPResponse(status: status, head: head, body: Array(bytes[split.upperBound...]))
        }
    }
}

/// Runs blocking work (socket reads that may wait seconds, key generation) on a thread of its own: neither on the
/// Swift concurrency pool, which in-process servers need, nor on Dispatch's global queues, whose few worker
/// threads GRDB's queues (the servers' counter flushes at shutdown) and `offPool` users share. Blocking those
/// with long socket reads from many parallel attack tests made unrelated servers' shutdowns overrun.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
