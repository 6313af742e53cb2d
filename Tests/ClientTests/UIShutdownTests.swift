import OlafTestSupport
import Client
import Core
import Foundation
import Testing

/// Issue 15, item 3 (a first bound): a connection a browser leaves half-sent must not hold olaf-client's stop.
@Suite("Client UI: prompt shutdown", .timeLimit(.minutes(1)))
struct UIShutdownTests {
    @Test("a request whose body never finishes does not hold the UI server's graceful shutdown past its bound")
    func halfSentRequest() async throws {
        let ui = try await UIHarness.start(home: try ServerAddress(parsing: "127.0.0.1:9"))
        // A POST that announces 100 bytes and sends 10, then goes quiet (the socket stays open).
        let descriptor = Loopback.tcpSocket()
        defer { close(descriptor) }
        try #require(Loopback.withAddress(port: ui.port) { connect(descriptor, $0, $1) } == 0)
        let head =
            "POST /api/send HTTP/1.1\r\nHost: \(ui.host)\r\nAuthorization: Bearer \(ui.token.value)\r\n"
            + "Origin: \(ui.origin)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n0123456789"
        let sent = Array(head.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        try #require(sent == head.utf8.count)
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        await ui.stop()
        let took = ContinuousClock.now - start
        #expect(took < .seconds(10), "stop took \(took)")
    }
}
