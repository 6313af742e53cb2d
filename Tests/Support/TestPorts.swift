import Foundation
import Synchronization

/// Hands out TCP ports on 127.0.0.1 for test servers. Ports come from 20000-32767, below Linux's ephemeral
/// range (32768-60999): a port picked from the ephemeral range could be taken as the source port of some
/// outgoing connection before the server binds it. Each candidate is checked by binding it once.
public enum TestPorts {
    private static let next = Atomic<Int>(20_000 + Int.random(in: 0..<10_000))

    public static func free() throws -> Int {
        for _ in 0..<2000 {
            let candidate = 20_000 + (next.wrappingAdd(1, ordering: .relaxed).oldValue - 20_000) % 12_768
            if isFree(candidate) { return candidate }
        }
        throw POSIXError(.EADDRINUSE)
    }

    private static func isFree(_ port: Int) -> Bool {
        let descriptor = Loopback.tcpSocket()
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        return Loopback.withAddress(port: port) { bind(descriptor, $0, $1) } == 0
    }
}
