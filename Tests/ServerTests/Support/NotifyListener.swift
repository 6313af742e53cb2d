import OlafTestSupport
import Foundation
import Synchronization

/// A test stand-in for systemd's notification socket (abstract AF_UNIX datagram socket), read without blocking.
final class NotifyListener: Sendable {
    /// The value for `NOTIFY_SOCKET`.
    let notifySocket: String
    private let descriptor: Int32
    private let received = Mutex<[String]>([])

    init() throws {
        let name = "olaf-notify-\(UUID().uuidString)"
        notifySocket = "@" + name
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let sunPath = [UInt8(0)] + Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: sunPath) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + sunPath.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    deinit { close(descriptor) }

    /// Every datagram received so far, in order.
    var messages: [String] {
        drain()
        return received.withLock { $0 }
    }

    /// Waits until a datagram containing `text` arrives; returns it, or nil after `timeout`.
    func waitFor(_ text: String, timeout: Duration = .seconds(10)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = messages.first(where: { $0.contains(text) }) { return found }
            guard await pause(.milliseconds(20)) else { break }
        }
        return messages.first { $0.contains(text) }
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
            }
            guard count > 0 else { return }
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            received.withLock { $0.append(text) }
        }
    }
}
