public import Foundation

/// Socket helpers for tests on 127.0.0.1.
public enum Loopback {
    /// Runs `body` with a `sockaddr` for 127.0.0.1:`port` and its length.
    public static func withAddress<R>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// A new TCP socket descriptor.
    public static func tcpSocket() -> Int32 { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }

    /// `recv` into `buffer`, retried when interrupted: with SO_RCVTIMEO set, Linux fails a blocked `recv` with
    /// EINTR whenever the process is stopped and continued (a debugger attaching, SIGSTOP/SIGCONT), which a test
    /// would otherwise read as the peer closing.
    public static func receive(_ descriptor: Int32, into buffer: inout [UInt8], upTo count: Int? = nil) -> Int {
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, min(count ?? $0.count, $0.count), 0) }
            if got < 0 && errno == EINTR { continue }
            return got
        }
    }
}
