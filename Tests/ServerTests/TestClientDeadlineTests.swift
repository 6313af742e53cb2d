import NIOCore
import NIOPosix
import OlafCrypto
import OlafTestSupport
import Testing

/// The test harness itself: a server that never answers the WebSocket handshake must fail one test, not hang the
/// whole run (seen once as a full `swift test` run that never ended, in the kill -9 attack test).
@Suite("Test harness: TestClient's connect is bounded")
struct TestClientDeadlineTests {
    @Test("a server that accepts the socket but never answers the upgrade: init returns with a failure")
    func silentServer() async throws {
        // Accepts connections and reads nothing: the client's upgrade request gets no answer, ever.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let start = ContinuousClock.now
        let client = await TestClient(
            url: "ws://127.0.0.1:\(port)/", key: try TestKeys.user(), connectDeadline: .seconds(1))
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(client.hasEnded)
        #expect(client.failureText?.contains("within") == true)
        try await listener.close()
    }
}
