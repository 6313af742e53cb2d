import Foundation
import Glibc

/// A test-owned `AF_UNIX`/`SOCK_DGRAM` socket standing in for systemd's notification socket.
///
/// The address is built here independently of the library, so a mistake in the library's address handling (for
/// instance a trailing NUL on an abstract name) makes the datagram miss this socket and the test fail.
final class DatagramReceiver {
    /// The value to put in `NOTIFY_SOCKET`.
    let notifySocket: String
    private let descriptor: Int32
    private let path: String?

    /// Binds a socket at a fresh file-system path under the temporary directory.
    static func atPath() throws -> DatagramReceiver {
        let path = "/tmp/olaf-notify-\(UUID().uuidString.prefix(8)).sock"
        return try DatagramReceiver(notifySocket: path, sunPath: Array(path.utf8), lengthExtra: 1, path: path)
    }

    /// Binds a socket at a fresh abstract name `@olaf-test-<uuid>`.
    static func abstract() throws -> DatagramReceiver {
        let name = "olaf-test-\(UUID().uuidString)"
        return try DatagramReceiver(
            notifySocket: "@" + name, sunPath: [0] + Array(name.utf8), lengthExtra: 0, path: nil)
    }

    private init(notifySocket: String, sunPath: [UInt8], lengthExtra: Int, path: String?) throws {
        self.notifySocket = notifySocket
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: sunPath) }
        let length = socklen_t(
            MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + sunPath.count + lengthExtra)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram as text, waiting up to two seconds; `nil` on timeout.
    func receive() -> String? {
        receive(flags: 0)
    }

    /// Whether a datagram is already queued (does not wait).
    func hasPendingDatagram() -> Bool {
        receive(flags: Int32(MSG_DONTWAIT)) != nil
    }

    private func receive(flags: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, flags) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

/// CLOCK_MONOTONIC in microseconds, read independently of the library.
func testMonotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}
