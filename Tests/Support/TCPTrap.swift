import Foundation
import Synchronization

/// A TCP listener on 127.0.0.1 that only counts connection attempts: proves that nobody dialled it.
public final class TCPTrap: Sendable {
    public let port: Int
    private let descriptor: Int32
    private let accepted = Atomic<Int>(0)

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    /// Connections waiting in the backlog or accepted so far.
    public var acceptedConnections: Int {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 { break }
            close(client)
            accepted.add(1, ordering: .relaxed)
        }
        return accepted.load(ordering: .relaxed)
    }
}
