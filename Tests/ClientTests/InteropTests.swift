import OlafTestSupport
import Client
import Core
import Foundation
import NIOCore
import OlafCrypto
import Testing

/// olaf-client against home servers that behave like deployed servers of other implementations (issue 13, items
/// 4-6; interop rules 9, 10 and 14), played by `InteropHomeServer` on 127.0.0.1.
@Suite("Client interop: list-request-only servers, object data, a file API elsewhere", .timeLimit(.minutes(3)))
struct InteropTests {
    /// Rule 10: the server never pushes a list. A client whose UI is attached asks again every few seconds, so
    /// someone who joins later shows up; a client asks once more before failing a send to someone it does not know.
    @Test("a server that only answers list requests: later joiners appear, and a send refreshes before failing")
    func listRequestOnlyServer() async throws {
        let server = try await InteropHomeServer.start()
        let watched = try await EngineHarness.start(on: server.address) {
            $0.listRefreshInterval = .milliseconds(200)
            $0.idleListRefreshInterval = nil
        }
        let page = watched.engine.events.subscribe()  // a UI page attached: what /api/events does
        #expect(await waitUntil { await watched.isOnline })
        let firstRefresh = try #require(await watched.engine.snapshot().listRefreshedAt)

        // No UI and no idle refresh: this one only ever asks when it connects and before failing a send.
        let headless = try await EngineHarness.start(on: server.address) { $0.idleListRefreshInterval = nil }
        #expect(await waitUntil { await headless.isOnline })
        let joiner = try await EngineHarness.start(on: server.address)
        #expect(await waitUntil { await joiner.isOnline })

        #expect(await waitUntil { await watched.sees([headless.fingerprint, joiner.fingerprint]) })
        #expect(try #require(await watched.engine.snapshot().listRefreshedAt) > firstRefresh)
        #expect(await !headless.sees([joiner.fingerprint]), "the server pushed a list: this double must not")

        let sent = try await headless.engine.sendChat("hello latecomer", to: [joiner.fingerprint])
        #expect(sent.status == .sent)
        let conversation = ConversationID.chat(participants: [headless.fingerprint, joiner.fingerprint])
        #expect(await joiner.waitForMessage("hello latecomer", in: conversation) != nil)
        #expect(await headless.sees([joiner.fingerprint]))

        // Still refused, after that one bounded refresh, for someone who is really not there.
        let nobody = try TestKeys.user().publicKey.fingerprint
        await #expect(throws: SendError.self) { try await headless.engine.sendChat("anyone?", to: [nobody]) }

        withExtendedLifetime(page) {}
        for engine in [watched, headless, joiner] { await engine.stop() }
        await server.stop()
    }

    /// Rule 10 through the UI API: the online list says when it was last refreshed.
    @Test("the UI's online list carries the time of the last refresh, and it moves while a page is open")
    func onlineListRefreshTime() async throws {
        let server = try await InteropHomeServer.start()
        let ui = try await UIHarness.start(home: server.address) { $0.listRefreshInterval = .milliseconds(200) }
        #expect(try await ui.post("/api/create", json: #"{"passphrase":"a good long passphrase"}"#).status == 200)
        let engine = try #require(await ui.session.engine)
        let page = ui.session.events.subscribe()
        #expect(await waitUntil { await engine.snapshot().connection.state == .online })
        let first = try await ui.get("/api/online").text
        let firstTime = try #require(try Self.refreshedAt(in: first))
        #expect(firstTime > Date().timeIntervalSince1970 - 60)
        #expect(
            await waitUntil {
                let later = try? await Self.refreshedAt(in: ui.get("/api/online").text)
                return (later ?? 0) > firstTime
            })
        withExtendedLifetime(page) {}
        await ui.stop()
        await server.stop()
    }

    static func refreshedAt(in json: String) throws -> Double? {
        guard case .object(let object) = try JSONParser.parse(json), case .number(let text)? = object["refreshedAt"]
        else { return nil }
        return Double(text)
    }

    /// Rule 14: every chat reaches the clients as object `data`; it is shown once its Python re-serialisation
    /// verifies under the sender's key.
    @Test("a server that relays data as an object: public and encrypted chats verify and are shown")
    func objectDataRelay() async throws {
        let server = try await InteropHomeServer.start(.init(relayDataAsObject: true))
        let alice = try await EngineHarness.start(on: server.address) {
            $0.idleListRefreshInterval = .milliseconds(200)
        }
        let bob = try await EngineHarness.start(on: server.address) { $0.idleListRefreshInterval = .milliseconds(200) }
        #expect(await waitUntil { await alice.sees([bob.fingerprint]) })
        #expect(await waitUntil { await bob.sees([alice.fingerprint]) })

        let text = "grüße 👋 \"quoted\" \\ done"
        _ = try await alice.engine.sendPublic(text)
        #expect(await bob.waitForMessage(text, in: ConversationID.publicChannel)?.status == .verified)
        _ = try await alice.engine.sendChat("secret ✓", to: [bob.fingerprint])
        let conversation = ConversationID.chat(participants: [alice.fingerprint, bob.fingerprint])
        #expect(await bob.waitForMessage("secret ✓", in: conversation)?.status == .verified)
        let drops = await bob.engine.snapshot().drops
        #expect(drops[.malformed] == nil)
        #expect(drops[.badSignature] == nil)
        await alice.stop()
        await bob.stop()
        await server.stop()
    }

    /// Rule 14's limit: object data whose re-serialisation does not verify is dropped and counted.
    @Test("a server that tampers with the object data: nothing is shown, each frame is counted as a bad signature")
    func tamperedObjectData() async throws {
        let server = try await InteropHomeServer.start(.init(relayDataAsObject: true, tamperRelayedObjects: true))
        let alice = try await EngineHarness.start(on: server.address) {
            $0.idleListRefreshInterval = .milliseconds(200)
        }
        let bob = try await EngineHarness.start(on: server.address) { $0.idleListRefreshInterval = .milliseconds(200) }
        #expect(await waitUntil { await alice.sees([bob.fingerprint]) })
        #expect(await waitUntil { await bob.sees([alice.fingerprint]) })

        _ = try await alice.engine.sendPublic("tampered public")
        _ = try await alice.engine.sendChat("tampered secret", to: [bob.fingerprint])
        #expect(await waitUntil { await bob.engine.snapshot().drops[.badSignature] == 2 })
        let conversation = ConversationID.chat(participants: [alice.fingerprint, bob.fingerprint])
        #expect(await bob.messages(in: ConversationID.publicChannel).isEmpty)
        #expect(await bob.messages(in: conversation).isEmpty)
        #expect(await bob.engine.snapshot().drops[.malformed] == nil)
        await alice.stop()
        await bob.stop()
        await server.stop()
    }

    /// Rule 9 and "File transfer": the file API on another port, set with `--file-api`; the nested reply layout
    /// with a URL without a scheme; and a clear error naming the URL and the setting when nothing answers.
    @Test("uploads go to the configured file API and its nested reply is read; a missing endpoint is named")
    func fileAPIElsewhere() async throws {
        let server = try await InteropHomeServer.start(.init(serveFileAPI: true))
        let fileAPIPort = try #require(server.fileAPIPort)
        let fileAPI = try FileAPIBase(parsing: "http://127.0.0.1:\(fileAPIPort)")
        let ui = try await UIHarness.start(home: server.address) { $0.fileAPI = fileAPI }
        #expect(try await ui.post("/api/create", json: #"{"passphrase":"a good long passphrase"}"#).status == 200)
        #expect(
            try await ui.get("/api/state").text.contains("\"uploadURL\":\"http://127.0.0.1:\(fileAPIPort)/api/upload\"")
        )
        let bytes = Array("the file's bytes".utf8)
        let upload = try await RawHTTP.request(
            "POST", path: "/api/upload?name=notes.txt", port: ui.port,
            headers: [("Host", ui.host), ("Authorization", "Bearer \(ui.token.value)"), ("Origin", ui.origin)],
            body: bytes)
        #expect(upload.status == 200, "\(upload.text)")
        #expect(upload.text.contains("\"file_url\":\"http://127.0.0.1:\(fileAPIPort)/files/"))
        let stored = await server.hub.uploads.values.first ?? []
        #expect(stored.count > bytes.count)
        #expect(String(decoding: stored, as: UTF8.self).contains("the file's bytes"))
        await ui.stop()

        // Without the setting the upload goes to the WebSocket port, where nothing serves /api/upload.
        let plain = try await UIHarness.start(home: server.address)
        #expect(try await plain.post("/api/create", json: #"{"passphrase":"a good long passphrase"}"#).status == 200)
        let missing = try await RawHTTP.request(
            "POST", path: "/api/upload?name=notes.txt", port: plain.port,
            headers: [
                ("Host", plain.host), ("Authorization", "Bearer \(plain.token.value)"), ("Origin", plain.origin),
            ],
            body: bytes)
        #expect(missing.status == 502)
        #expect(missing.text.contains("no upload endpoint answers at http://127.0.0.1:\(server.port)/api/upload"))
        #expect(missing.text.contains("--file-api"))
        await plain.stop()

        // Nothing listening at all: connection refused, same clear error.
        let closedPort = try TestPorts.free()
        let refused = FileUploader(fileAPI: try FileAPIBase(parsing: "http://127.0.0.1:\(closedPort)/"))
        await #expect(throws: UploadError.self) {
            _ = try await refused.upload(name: "x", size: 1, body: Self.oneChunk([1]))
        }
        do {
            _ = try await refused.upload(name: "x", size: 1, body: Self.oneChunk([1]))
        } catch {
            #expect(
                error.description.contains("no upload endpoint answers at http://127.0.0.1:\(closedPort)/api/upload"))
            #expect(error.description.contains("--file-api"))
        }
        await server.stop()
    }

    static func oneChunk(_ bytes: [UInt8]) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            continuation.yield(ByteBuffer(bytes: bytes))
            continuation.finish()
        }
    }

    @Test("the --file-api setting accepts http(s) bases only, without user info, query or fragment")
    func fileAPISettingValidation() throws {
        let plain = try FileAPIBase(parsing: "http://127.0.0.1:9001")
        #expect(plain.uploadURL == "http://127.0.0.1:9001/api/upload")
        let prefixed = try FileAPIBase(parsing: " https://files.example.org/olaf/ ")
        #expect(prefixed.uploadURL == "https://files.example.org:443/olaf/api/upload")
        #expect(prefixed.server.usesTLS)
        #expect(try FileAPIBase(parsing: "http://h:8/api/upload").uploadURL == "http://h:8/api/upload")
        #expect(throws: FileAPIBaseError.userInfo) { try FileAPIBase(parsing: "http://user:pw@h:8") }
        #expect(throws: FileAPIBaseError.queryOrFragment) { try FileAPIBase(parsing: "http://h:8/?x=1") }
        #expect(throws: FileAPIBaseError.queryOrFragment) { try FileAPIBase(parsing: "http://h:8#top") }
        #expect(throws: FileAPIBaseError.notHTTP("ftp://h")) { try FileAPIBase(parsing: "ftp://h") }
        #expect(throws: FileAPIBaseError.notHTTP("h:8")) { try FileAPIBase(parsing: "h:8") }
        #expect(throws: FileAPIBaseError.notHTTP("javascript:alert(1)")) {
            try FileAPIBase(parsing: "javascript:alert(1)")
        }
        #expect(throws: FileAPIBaseError.empty) { try FileAPIBase(parsing: "  ") }
        #expect(throws: FileAPIBaseError.self) { try FileAPIBase(parsing: "http://h:99999") }
        #expect(throws: FileAPIBaseError.self) { try FileAPIBase(parsing: "http://h:8/a b") }
        #expect(throws: FileAPIBaseError.self) {
            try FileAPIBase(parsing: "http://" + String(repeating: "a", count: 400))
        }
    }
}
