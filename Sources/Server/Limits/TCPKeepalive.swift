import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// TCP keepalive on every accepted socket: the kernel finds peers that vanished without closing (a laptop lid
/// shut, a NAT mapping expired, a cable pulled) and closes their connections, which ends their sessions.
/// It replaces a WebSocket ping task beside every connection: the same job with no memory or CPU of ours per
/// idle client (a sleeping task per connection cost ~3 KiB and a task start-up per hello).
enum TCPKeepalive {
    /// Idle time before the first probe.
    static let idleSeconds: Int32 = 60
    /// Time between probes.
    static let intervalSeconds: Int32 = 10
    /// Unanswered probes before the kernel drops the connection: a dead peer is found within ~90 s.
    static let probes: Int32 = 3

    /// Turns keepalive on for `channel` (call on its event loop). A socket that refuses an option keeps working
    /// without it.
    static func enable(on channel: any Channel) {
        guard let options = channel.syncOptions else { return }
        try? options.setOption(.socketOption(.so_keepalive), value: 1)
        for (name, value) in [(TCP_KEEPIDLE, idleSeconds), (TCP_KEEPINTVL, intervalSeconds), (TCP_KEEPCNT, probes)] {
            try? options.setOption(
                ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name)),
                value: SocketOptionValue(value))
        }
    }
}
