import OlafTestSupport
import Client
import Core
import Foundation
import Testing

/// The UI server's defences, tested with raw HTTP requests that set every header as an attacker could.
@Suite("Client UI server: security", .serialized, .timeLimit(.minutes(2)))
struct UIServerSecurityTests {
    static let nowhere = try! ServerAddress(parsing: "127.0.0.1:9")

    @Test("the API needs the bearer token; the static files carry no secret and need none")
    func tokenRequired() async throws {
        let ui = try await UIHarness.start(home: Self.nowhere)
        for path in ["/api/state", "/api/online", "/api/conversations"] {
            #expect(try await ui.get(path, bearer: false).status == 401, "\(path) without token")
            #expect(
                try await ui.get(path, [("Authorization", "Bearer wrong")], bearer: false).status == 401,
                "\(path) wrong token")
            #expect(try await ui.get(path).status != 401, "\(path) with the token (locked: not 200, but past the guard)")
        }
        #expect(try await ui.post("/api/create", json: #"{"passphrase":"long enough pass"}"#, bearer: false).status == 401)
        for path in ["/", "/index.html", "/app.js", "/style.css", "/icon.svg"] {
            let response = try await ui.get(path, bearer: false)
            #expect(response.status == 200, "\(path)")
            #expect(!response.text.contains(ui.token.value), "\(path)")
        }
        #expect(try await ui.get("/").text.contains("<script src=\"/app.js\""))
        await ui.stop()
    }

    @Test("no cookie: the printed URL carries the token in its fragment only, nothing sets a cookie, a cookie opens nothing")
    func noCookie() async throws {
        let ui = try await UIHarness.start(home: Self.nowhere)
        let url = ui.url
        #expect(url.hasSuffix("/#token=\(ui.token.value)"))
        #expect(!url.contains("?"))
        // The address of the version that used a cookie: now only the page, and no cookie.
        let legacy = try await ui.get("/?token=\(ui.token.value)", bearer: false)
        #expect(legacy.status == 200)
        #expect(legacy.header("Set-Cookie") == nil)
        for response in [try await ui.get("/"), try await ui.get("/api/state")] {
            #expect(response.header("Set-Cookie") == nil)
        }
        // The cookie an older version set is sent by the browser to every port on 127.0.0.1: it must open nothing.
        #expect(
            try await ui.get("/api/state", [("Cookie", "olaf_ui_\(ui.port)=\(ui.token.value)")], bearer: false).status
                == 401)
        await ui.stop()
    }

    @Test("a foreign Host header (DNS rebinding) gets 421 even with the token; localhost:PORT is fine")
    func hostChecked() async throws {
        let ui = try await UIHarness.start(home: Self.nowhere)
        for host in ["evil.example:\(ui.port)", "127.0.0.1:1", "attacker.test", "127.0.0.2:\(ui.port)"] {
            let response = try await RawHTTP.request(
                path: "/api/state", port: ui.port,
                headers: [("Host", host), ("Authorization", "Bearer \(ui.token.value)")])
            #expect(response.status == 421, "Host \(host)")
        }
        let local = try await RawHTTP.request(
            path: "/api/state", port: ui.port,
            headers: [("Host", "localhost:\(ui.port)"), ("Authorization", "Bearer \(ui.token.value)")])
        #expect(local.status == 200)
        await ui.stop()
    }

    @Test("a foreign Origin or a cross-site fetch gets 403 even with the token; our own origin is fine")
    func originChecked() async throws {
        let ui = try await UIHarness.start(home: Self.nowhere)
        for origin in ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:\(ui.port)"] {
            #expect(try await ui.get("/api/state", [("Origin", origin)]).status == 403, "Origin \(origin)")
            let post = try await ui.post(
                "/api/create", json: #"{"passphrase":"long enough pass"}"#, [("Origin", origin)])
            #expect(post.status == 403, "POST with Origin \(origin)")
        }
        #expect(try await ui.get("/api/state", [("Sec-Fetch-Site", "cross-site")]).status == 403)
        #expect(try await ui.get("/api/state", [("Origin", ui.origin)]).status == 200)
        #expect(await ui.session.engine == nil, "nothing was created by the refused requests")
        await ui.stop()
    }

    @Test("the events WebSocket needs the token as a subprotocol entry and a same-origin request; it answers olaf-ui")
    func webSocketOrigin() async throws {
        let ui = try await UIHarness.start(home: Self.nowhere)
        func upgrade(origin: String, extra: [(String, String)]) async throws -> RawHTTP.Response {
            let headers = [
                ("Host", ui.host), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"), ("Origin", origin),
            ] + extra
            var text = "GET /api/events HTTP/1.1\r\n"
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            return try await RawHTTP.send(Array((text + "\r\n").utf8), port: ui.port)
        }
        let protocols = ("Sec-WebSocket-Protocol", "olaf-ui, olaf-token.\(ui.token.value)")
        // A refused upgrade is answered 400 by the WebSocket layer (the guard's verdict decides; the status of a
        // refused upgrade is fixed by HummingbirdWebSocket): what matters is that no 101 comes back.
        for refused in [
            try await upgrade(origin: "http://evil.example", extra: [protocols]),
            try await upgrade(origin: "null", extra: [protocols]),
            try await upgrade(origin: ui.origin, extra: []),
            try await upgrade(origin: ui.origin, extra: [("Sec-WebSocket-Protocol", "olaf-ui, olaf-token.wrong")]),
            try await upgrade(origin: ui.origin, extra: [("Cookie", "olaf_ui_\(ui.port)=\(ui.token.value)")]),
        ] {
            #expect(refused.status != 101)
            #expect((400...499).contains(refused.status))
        }
        let accepted = try await upgrade(origin: ui.origin, extra: [protocols])
        #expect(accepted.status == 101)
        #expect(accepted.header("Sec-WebSocket-Protocol") == "olaf-ui")
        // Two header lines work as well as one list.
        let split = try await upgrade(
            origin: ui.origin,
            extra: [("Sec-WebSocket-Protocol", "olaf-ui"), ("Sec-WebSocket-Protocol", "olaf-token.\(ui.token.value)")])
        #expect(split.status == 101)
        await ui.stop()
    }

    @Test("every response carries the strict Content-Security-Policy and anti-framing headers")
    func securityHeaders() async throws {
        let ui = try await UIHarness.start(home: Self.nowhere)
        for response in [
            try await ui.get("/"), try await ui.get("/app.js"), try await ui.get("/api/state", bearer: false),
        ] {
            let policy = try #require(response.header("Content-Security-Policy"))
            #expect(policy.contains("default-src 'self'"))
            #expect(policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("X-Frame-Options") == "DENY")
        }
        // The page itself has no inline script or style.
        let page = try await ui.get("/").text
        #expect(!page.contains("<script>"))
        #expect(!page.contains("style="))
        #expect(!page.contains("<style"))
        let script = try await ui.get("/app.js").text
        #expect(!script.contains("innerHTML"))
        await ui.stop()
    }

    @Test("the UI address must be loopback unless forced; malformed addresses are refused")
    func uiAddress() throws {
        #expect(try UIAddress(parsing: "127.0.0.1:8765").host == "127.0.0.1")
        #expect(try UIAddress(parsing: "localhost:0").host == "127.0.0.1")
        #expect(try UIAddress(parsing: "[::1]:8765").authority(port: 8765) == "[::1]:8765")
        #expect(throws: UIAddress.ParseError.notLoopback("0.0.0.0")) { try UIAddress(parsing: "0.0.0.0:8765") }
        #expect(throws: UIAddress.ParseError.notLoopback("192.168.1.10")) {
            try UIAddress(parsing: "192.168.1.10:8765")
        }
        #expect(try UIAddress(parsing: "192.168.1.10:8765", allowRemote: true).host == "192.168.1.10")
        for bad in ["8765", "127.0.0.1", "127.0.0.1:99999", "example.com:80", ":80"] {
            #expect(throws: UIAddress.ParseError.self, "\(bad)") { try UIAddress(parsing: bad) }
        }
    }
}
