import Foundation
import Synchronization

/// Hands out TCP ports on 127.0.0.1 for test servers. Ports come from 20000-32767, below Linux's ephemeral
/// range (32768-60999): a port picked from the ephemeral range could be taken as the source port of some
/// outgoing connection before the server binds it. Each candidate is checked by binding it once.
enum TestPorts {
    private static let next = Atomic<Int>(20_000 + Int.random(in: 0..<10_000))

    static func free() throws -> Int {
        for _ in 0..<2000 {
            let candidate = 20_000 + (next.wrappingAdd(1, ordering: .relaxed).oldValue - 20_000) % 12_768
            if isFree(candidate) { return candidate }
        }
        throw POSIXError(.EADDRINUSE)
    }

    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}
