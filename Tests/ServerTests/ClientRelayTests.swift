import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

/// One server, real sockets: hello, lists, public and private chat, and everything a client must not get away with.
@Suite("Relay: clients of one server", .timeLimit(.minutes(2)))
struct ClientRelayTests {
    @Test("hello then client_list_request: the list holds our key under the server's address")
    func helloAndClientList() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        let list = await alice.clientList { $0.fingerprints(at: server.address).contains(alice.fingerprint) }
        #expect(list != nil)
        #expect(list?.servers.first?.address == server.address.canonical)
    }

    @Test("a client_list is pushed to connected clients when someone joins")
    func clientListPushed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).contains(alice.fingerprint) }
        let bob = try await TestClient.connected(to: server)
        let pushed = await alice.waitFor { frame, _ in
            guard case .clientList(let list) = frame else { return false }
            return list.fingerprints(at: server.address).contains(bob.fingerprint)
        }
        #expect(pushed != nil)
    }

    @Test("public chat reaches the other clients, verified, and not the sender")
    func publicChat() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        let carol = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 3 }
        try alice.sendPublicChat("hello everyone")
        #expect(await bob.waitForPublicChat("hello everyone", from: alice))
        #expect(await carol.waitForPublicChat("hello everyone", from: alice))
        #expect(await !alice.waitForPublicChat("hello everyone", from: alice, timeout: .milliseconds(200)))
    }

    @Test("a private chat on one server opens only for its recipient")
    func privateChat() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        let eve = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 3 }
        try alice.sendChat("for bob only", to: [(bob, server)])
        let opened = await bob.waitForChat("for bob only", from: alice)
        #expect(opened?.participants == [alice.fingerprint, bob.fingerprint])
        // Eve receives the frame (servers deliver to every local client) but cannot open it.
        #expect(await eve.waitFor { frame, _ in if case .signed = frame { return true } else { return false } } != nil)
        #expect(await eve.waitForChat("for bob only", from: alice, timeout: .milliseconds(200)) == nil)
    }

    @Test("replayed and lower counters are dropped; a higher one goes through")
    func replays() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 2 }
        let frame = try alice.sendPublicChat("once")
        #expect(await bob.waitForPublicChat("once", from: alice))
        alice.send(frame)  // exact replay
        try alice.sendSigned(.publicChat(PublicChatData(sender: alice.fingerprint, message: "lower")), counter: 1)
        try alice.sendPublicChat("later")
        #expect(await bob.waitForPublicChat("later", from: alice))
        #expect(bob.received.filter { $0 == frame }.count == 1)
        #expect(await !bob.waitForPublicChat("lower", from: alice, timeout: .milliseconds(100)))
        #expect(server.server.statistics.snapshot.dropped[.replayedCounter, default: 0] >= 2)
        try await assertHealthy(server)
    }

    @Test("bad signatures, tampered data and spoofed senders are dropped")
    func forgeries() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        let mallory = try TestKeys.user()
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 2 }

        // Signed by another key than the connection's.
        try alice.sendSigned(.publicChat(PublicChatData(sender: alice.fingerprint, message: "forged")), signer: mallory)
        // Valid signature, then the data changed in transit.
        let envelope = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: alice.fingerprint, message: "original")), counter: alice.nextCounter(),
            with: alice.key)
        var object = envelope.frameObject
        object["data"] = .string(envelope.dataString.replacingOccurrences(of: "original", with: "tampered"))
        alice.send(JSONWriter.compact(.object(object)))
        // Alice signs correctly but claims to be bob.
        try alice.sendSigned(.publicChat(PublicChatData(sender: bob.fingerprint, message: "spoofed")))
        try alice.sendPublicChat("genuine")

        #expect(await bob.waitForPublicChat("genuine", from: alice))
        let texts = bob.received.joined()
        #expect(!texts.contains("forged") && !texts.contains("tampered") && !texts.contains("spoofed"))
        let dropped = server.server.statistics.snapshot.dropped
        #expect(dropped[.badSignature, default: 0] == 2)
        #expect(dropped[.senderMismatch, default: 0] == 1)
        try await assertHealthy(server)
    }

    @Test("a message before hello closes the connection with 1008")
    func messageBeforeHello() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = await TestClient(url: server.url, key: try TestKeys.user())
        try alice.sendPublicChat("too early")
        #expect(await alice.waitUntilClosed())
        #expect(alice.closeCode == 1008)
        #expect(alice.closeReason?.contains("first message") == true)
        try await assertHealthy(server)
    }

    @Test("a second hello with another key on the same connection is refused")
    func secondHelloOtherKey() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        _ = await alice.clientList()
        let other = try TestKeys.user()
        try alice.sendSigned(.hello(HelloData(publicKey: other.publicKey)), signer: other)
        #expect(await alice.waitUntilClosed())
        #expect(alice.closeCode == 1008)
        try await assertHealthy(server)
    }

    @Test("a new hello for a connected key replaces the older connection; a replayed hello is refused")
    func helloReplacesAndReplays() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let key = try TestKeys.user()
        let first = await TestClient(url: server.url, key: key)
        let hello = try first.sendSigned(.hello(HelloData(publicKey: key.publicKey)), counter: 10)
        _ = await first.clientList()

        let replay = await TestClient(url: server.url, key: key)
        replay.send(hello)
        #expect(await replay.waitUntilClosed())
        #expect(replay.closeCode == 1008)
        #expect(!first.hasEnded)

        let second = await TestClient(url: server.url, key: key, firstCounter: 11)
        try second.sendHello()
        #expect(await first.waitUntilClosed())
        #expect(first.closeReason?.contains("replaced") == true)
        let list = await second.clientList { $0.fingerprints(at: server.address) == [key.publicKey.fingerprint] }
        #expect(list != nil)
        #expect(await server.hub.localClientCount == 1)
        try await assertHealthy(server)
    }

    @Test("client_update and client_update_request from a client are ignored")
    func serverMessagesFromClient() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let alice = try await TestClient.connected(to: server)
        let stranger = try TestKeys.user()
        alice.send(OlafMessage.clientUpdate(ClientUpdate(clients: [stranger.publicKey])).text)
        alice.send(OlafMessage.clientUpdateRequest(ClientUpdateRequest()).text)
        let list = await alice.clientList()
        #expect(list?.servers.count == 1)
        #expect(list?.fingerprints(at: server.address) == [alice.fingerprint])
        // A pushed client_list may overtake our request, so wait for the counters rather than the list.
        #expect(await waitUntil { server.server.statistics.snapshot.dropped[.notAllowedFromClient, default: 0] == 2 })
        try await assertHealthy(server)
    }

    @Test("a connection that never says hello is closed after the hello timeout")
    func helloTimeout() async throws {
        let server = try await TestServer.start { $0.limits.helloTimeout = .milliseconds(300) }
        defer { Task { await server.stop() } }
        let silent = await TestClient(url: server.url, key: try TestKeys.user())
        #expect(await silent.waitUntilClosed(timeout: .seconds(20)))
        #expect(silent.closeCode == 1008)
    }
}
