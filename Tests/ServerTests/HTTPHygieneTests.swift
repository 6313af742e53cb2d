import OlafTestSupport
import Foundation
import Server
import Testing

/// Issue 14, operator conventions: the main listener answers plain HTTP the way scanners and operators expect.
/// 404 for every path that is not the file API, 426 for a plain request to a WebSocket path, 400 at once for a
/// request HTTP parsing refuses; WebSocket upgrades on any path keep working.
@Suite("HTTP hygiene on the main listener", .timeLimit(.minutes(2)))
struct HTTPHygieneTests {
    static func get(_ port: Int, _ target: String, method: String = "GET") async throws -> (status: Int, text: String) {
        try await offPool {
            try RawHTTP.exchange(
                port: port, Array("\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        }
    }

    @Test("a plain GET of a path that is not the file API is 404, not an empty 200")
    func unknownPathsAreNotFound() async throws {
        let server = try await TestServer.start()
        for target in ["/admin", "/.env", "/debug", "/api", "/api/files", "/api/nothing/here", "/ws/deeper"] {
            let response = try await Self.get(server.port, target)
            #expect(response.status == 404, "\(target): \(response.text)")
        }
        let head = try await Self.get(server.port, "/.env", method: "HEAD")
        #expect(head.status == 404, "\(head.text)")
        await server.stop()
    }

    @Test("a plain GET of a WebSocket path (/, /ws, /client, /server) is 426 with Upgrade: websocket")
    func webSocketPathsWantAnUpgrade() async throws {
        let server = try await TestServer.start()
        for target in ["/", "/ws", "/client", "/server"] {
            let response = try await Self.get(server.port, target)
            #expect(response.status == 426, "\(target): \(response.text)")
            #expect(response.text.lowercased().contains("\r\nupgrade: websocket\r\n"), "\(target): \(response.text)")
        }
        await server.stop()
    }

    @Test("Content-Length: -1 is answered 400 at once and the connection closed")
    func negativeContentLength() async throws {
        let server = try await TestServer.start()
        for request in [
            "POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        ] {
            let response = try await offPool { try RawHTTP.exchange(port: server.port, Array(request.utf8)) }
            #expect(response.status == 400, "\(response.text)")
            #expect(response.text.lowercased().contains("connection: close"), "\(response.text)")
        }
        // The listener is unharmed: a file API request on a new connection is served.
        let after = try await Self.get(server.port, "/api/files/0123456789abcdef0123456789abcdef/x")
        #expect(after.status == 404)
        await server.stop()
    }

    @Test("WebSocket upgrades work on any path", arguments: ["/", "/ws", "/client", "/server", "/admin", "/any/deep/path"])
    func upgradesOnAnyPath(path: String) async throws {
        let server = try await TestServer.start()
        let client = await TestClient(url: "ws://127.0.0.1:\(server.port)\(path)", key: try TestKeys.user())
        try client.sendHello()
        let list = await client.clientList()
        #expect(list?.fingerprints(at: server.address).contains(client.fingerprint) == true, "path \(path)")
        await server.stop()
    }
}
