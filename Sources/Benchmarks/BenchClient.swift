import NIOCore
import Glibc
import NIOPosix

/// A connected, upgraded generator connection and its handler (reachable only on the channel's event loop).
struct BenchClient: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<BenchClientHandler>

    /// Connects to 127.0.0.1:`port`, upgrades to WebSocket and returns once the upgrade succeeded.
    static func connect(
        port: Int, group: any EventLoopGroup, tally: DeliveryTally, role: BenchClientHandler.Role
    ) async throws -> BenchClient {
        let loop = group.next()
        let upgraded = loop.makePromise(of: Void.self)
        let host = "127.0.0.1:\(port)"
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        BenchClientHandler(host: host, tally: tally, upgraded: upgraded, role: role))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await upgraded.futureResult.get()
        let handler = try await loop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: BenchClientHandler.self), eventLoop: loop)
        }.get()
        return BenchClient(channel: channel, handler: handler)
    }

    /// Runs `body` with the handler on its event loop.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (BenchClientHandler) -> T) async throws -> T {
        let handler = self.handler
        return try await channel.eventLoop.submit { body(handler.value) }.get()
    }

    func send(_ frame: ByteBuffer) async throws { try await onLoop { $0.send(frame) } }

    /// Aborts the connection (RST, SO_LINGER 0) instead of closing it: no TIME_WAIT is left behind, so the next
    /// run's thousands of connects do not search a loopback port range full of them (28,000 ports; 20,000 in
    /// TIME_WAIT after two 10,000-client runs halved the hello rate of the next one).
    func close() async {
        if let options = channel as? any SocketOptionProvider {
            try? await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
    }
}
