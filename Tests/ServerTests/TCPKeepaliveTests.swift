import NIOCore
import NIOPosix
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// Accepted sockets find vanished peers through TCP keepalive (there is no WebSocket ping task per connection).
@Suite("TCP keepalive on accepted sockets")
struct TCPKeepaliveTests {
    @Test("enable turns on SO_KEEPALIVE with 60 s idle, 10 s interval and 3 probes")
    func optionsAreSet() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let listener = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
        let read: @Sendable (Int32, Int32) async throws -> SocketOptionValue = { level, name in
            try await channel.getOption(
                ChannelOptions.Types.SocketOption(
                    level: NIOBSDSocket.OptionLevel(rawValue: level), name: NIOBSDSocket.Option(rawValue: name))
            ).get()
        }
        #expect(try await read(SOL_SOCKET, SO_KEEPALIVE) == 0)
        try await channel.eventLoop.submit { TCPKeepalive.enable(on: channel) }.get()
        #expect(try await read(SOL_SOCKET, SO_KEEPALIVE) == 1)
        #expect(try await read(Int32(IPPROTO_TCP), TCP_KEEPIDLE) == 60)
        #expect(try await read(Int32(IPPROTO_TCP), TCP_KEEPINTVL) == 10)
        #expect(try await read(Int32(IPPROTO_TCP), TCP_KEEPCNT) == 3)
        try await channel.close()
        try await listener.close()
    }
}
