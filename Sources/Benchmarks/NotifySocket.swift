import Foundation

/// A stand-in for systemd's notification socket: an abstract AF_UNIX datagram socket read without blocking.
final class NotifySocket {
    /// The value for `NOTIFY_SOCKET`.
    let address: String
    private let descriptor: Int32
    private var received = ""

    init() throws {
        let name = "olaf-bench-notify-\(UUID().uuidString)"
        address = "@" + name
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let path = [UInt8(0)] + Array(name.utf8)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + path.count)
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw BenchError.connectFailed("cannot bind the notify socket") }
    }

    deinit { close(descriptor) }

    /// Whether a datagram containing `text` has arrived.
    func hasReceived(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
            }
            guard count > 0 else { break }
            received += String(decoding: buffer[..<count], as: UTF8.self) + "\n"
        }
        return received.contains(text)
    }
}
