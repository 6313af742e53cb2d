import Glibc

/// Sends one datagram to a `NotifySocketAddress` on a fresh `AF_UNIX`/`SOCK_DGRAM` socket, as `sd_notify` does.
///
/// Each call opens and closes its own close-on-exec socket, so there is no shared state and no descriptor leaks
/// into child processes. A send timeout bounds how long a stalled service manager can block the caller.
enum DatagramSender {
    /// How long `sendto` may block when the receiver's queue is full.
    static let sendTimeoutSeconds = 2

    /// Sends `payload` in one datagram; returns whether all of it was sent. Never traps.
    static func send(_ payload: [UInt8], to address: NotifySocketAddress) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }

        var timeout = timeval(tv_sec: sendTimeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        while true {
            let sent = address.withSockaddr { socketAddress, length in
                payload.withUnsafeBytes { bytes in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
            if sent < 0 && errno == EINTR { continue }
            return sent == payload.count
        }
    }
}
