import OlafTestSupport
import Client
import Core
import Foundation
import OlafCrypto
import Testing

/// The UI's JSON API driving a real engine against a real olafd.
@Suite("Client UI server: API", .serialized, .timeLimit(.minutes(3)))
struct UIAPITests {
    @Test("create, refuse a wrong passphrase, unlock, send and read back, upload a file")
    func lifecycle() async throws {
        let server = try await TestServer.start()
        let ui = try await UIHarness.start(home: server.address)
        let locked = try await ui.get("/api/state")
        #expect(locked.text.contains("\"locked\":true"))
        #expect(locked.text.contains("\"hasKey\":false"))
        #expect(try await ui.get("/api/online").status == 409)
        #expect(try await ui.post("/api/create", json: #"{"passphrase":"short"}"#).status == 400)
        #expect(try await ui.post("/api/create", json: #"{"nothing":1}"#).status == 400)
        let created = try await ui.post("/api/create", json: #"{"passphrase":"a good long passphrase"}"#)
        #expect(created.status == 200)
        #expect(created.text.contains("\"locked\":false"))
        let keyFile = ui.dataDirectory.file(ClientKeystore.keyFileName)
        #expect((try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY"))

        let engine = try #require(await ui.session.engine)
        #expect(await waitUntil { await engine.snapshot().connection.state == .online })
        let online = try await ui.get("/api/online").text
        #expect(
            online.contains(engine.fingerprint.replacingOccurrences(of: "/", with: "\\/"))
                || online.contains(engine.fingerprint))

        let peer = try await EngineHarness.start(on: server.address)
        #expect(await waitUntil { await peer.sees([engine.fingerprint]) })
        let hostile = "<img src=x onerror=alert(1)>"
        let sent = try await ui.post("/api/send", json: #"{"kind":"public","text":"<img src=x onerror=alert(1)>"}"#)
        #expect(sent.status == 200)
        #expect(await peer.waitForMessage(hostile, in: ConversationID.publicChannel) != nil)
        let history = try await ui.get("/api/messages?conversation=public")
        #expect(history.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(history.text.contains("onerror"))

        let offline = try await ui.post(
            "/api/send", json: #"{"kind":"chat","text":"hi","to":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}"#)
        #expect(offline.status == 404)
        #expect(offline.text.contains("not online"))

        let bytes = Array(repeating: UInt8(ascii: "x"), count: 3000)
        let upload = try await RawHTTP.request(
            "POST", path: "/api/upload?name=report.txt", port: ui.port,
            headers: [("Host", ui.host), ("Authorization", "Bearer \(ui.token.value)"), ("Origin", ui.origin)],
            body: bytes)
        #expect(upload.status == 200)
        #expect(upload.text.contains("\"file_url\":\"http://127.0.0.1:\(server.port)/api/files/"))
        let tooLarge = try await RawHTTP.request(
            "POST", path: "/api/upload?name=big.bin", port: ui.port,
            headers: [("Host", ui.host), ("Authorization", "Bearer \(ui.token.value)"), ("Content-Length", "2000000")])
        #expect(tooLarge.status == 413)

        await peer.stop()
        await ui.stop()

        // A second daemon on the same data directory: a wrong passphrase is refused, the right one unlocks.
        let again = try await UIHarness.start(home: server.address, dataDirectory: ui.dataDirectory.path)
        #expect(try await again.get("/api/state").text.contains("\"hasKey\":true"))
        #expect(try await again.post("/api/unlock", json: #"{"passphrase":"not the passphrase"}"#).status == 403)
        #expect(try await again.post("/api/unlock", json: #"{"passphrase":"a good long passphrase"}"#).status == 200)
        #expect(await again.session.engine?.fingerprint == engine.fingerprint)
        await again.stop()
        await server.stop()
    }

    @Test("the data directory lock keeps a second olaf-client off the same identity")
    func directoryLock() throws {
        let directory = DataDirectory(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("olaf-lock-\(UUID().uuidString)").path)
        try directory.prepare()
        let first = try directory.lock()
        #expect(throws: ClientKeystoreError.dataDirectoryInUse(path: directory.path)) { _ = try directory.lock() }
        first.release()
        try directory.lock().release()
    }

    @Test("upload replies are read in every form peers send")
    func uploadReplies() throws {
        let home = try ServerAddress(parsing: "127.0.0.1:8080")
        #expect(
            try UploadReply.fileURL(from: Array(#"{"file_url":"http://h:1/api/files/a/b"}"#.utf8), home: home)
                == "http://h:1/api/files/a/b")
        #expect(
            try UploadReply.fileURL(
                from: Array(#"{"response":{"body":{"file_url":"https://h/f/x.txt"}}}"#.utf8), home: home)
                == "https://h/f/x.txt")
        #expect(
            try UploadReply.fileURL(from: Array(#"{"file_url":"h:9/files/x"}"#.utf8), home: home)
                == "http://h:9/files/x")
        #expect(
            try UploadReply.fileURL(from: Array(#"{"file_url":"/api/files/x/y"}"#.utf8), home: home)
                == "http://127.0.0.1:8080/api/files/x/y")
        #expect(throws: UploadError.self) {
            try UploadReply.fileURL(from: Array(#"{"file_url":"javascript:alert(1)"}"#.utf8), home: home)
        }
        #expect(throws: UploadError.self) { try UploadReply.fileURL(from: Array("nope".utf8), home: home) }
        #expect(FileLinkDetector.link(in: "javascript:alert(1)") == nil)
        #expect(FileLinkDetector.link(in: "see http://a/b") == nil)
        #expect(FileLinkDetector.link(in: "http://h/api/files/1/my%20file.txt")?.name == "my file.txt")
        // Bidi overrides and control characters cannot disguise a name (issue 15 item 2).
        #expect(FileLinkDetector.link(in: "http://h/invoice%E2%80%AEfdp.exe")?.name == "invoice\u{FFFD}fdp.exe")
        #expect(FileLinkDetector.link(in: "http://h/a%0Ab%E2%81%A6c%00d")?.name == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d")
        #expect(FileLinkDetector.link(in: "http://h/caf%C3%A9%20%F0%9F%91%A8%E2%80%8D%F0%9F%92%BB")?.name == "café 👨‍💻")
    }
}
