import Core
import Foundation
import OlafCrypto
import OlafTestSupport
import Server
import Testing

/// Issue 13: behaviours of other deployed implementations (and of attackers at a neighbour's address), each
/// played by a test double of ours against a real olafd on loopback.
@Suite("Deployed neighbours: restarts, spellings, squatters, conflicts, removal", .serialized, .timeLimit(.minutes(3)))
struct DeployedNeighbourTests {
    /// A neighbour's signed `server_hello` frame.
    static func hello(_ address: ServerAddress, counter: UInt64, key: RSAPrivateKey) throws -> String {
        OlafMessage.signed(try SignedEnvelope.sign(.serverHello(ServerHelloData(sender: address)), counter: counter, with: key))
            .text
    }

    static func update(_ keys: [RSAPublicKey]) -> String { OlafMessage.clientUpdate(ClientUpdate(clients: keys)).text }

    @Test("a neighbour that restarts at counter 1 and never redials recovers with no operator action; replays do not")
    func restartedNeighbourRecovers() async throws {
        let key = try TestKeys.server()
        let address = try ServerAddress(parsing: "127.0.0.1:\(try TestPorts.free())")
        let server = try await TestServer.start(neighbours: [Neighbour(address: address, publicKey: key.publicKey)])
        let watcher = try await TestClient.connected(to: server)

        // First life: counter 1.
        let firstHello = try Self.hello(address, counter: 1, key: key)
        let firstListed = try TestKeys.user().publicKey
        let first = await TestClient(url: server.url, key: key)
        first.send(firstHello)
        first.send(Self.update([firstListed]))
        #expect(await watcher.clientList { $0.fingerprints(at: address).contains(firstListed.fingerprint) } != nil)

        // While that link is up, a counter that goes back is refused: a live neighbour never restarts.
        let early = await TestClient(url: server.url, key: key)
        early.send(try Self.hello(address, counter: 1, key: key))
        #expect(await early.waitUntilClosed())
        #expect(early.closeCode == 1008)
        #expect(early.closeReason?.contains("a link is up") == true)

        // It dies (its link drops); a byte-for-byte replay of its first hello is still refused.
        first.close()
        #expect(await waitUntil { await server.hub.linkState(of: address).links == 0 })
        let replay = await TestClient(url: server.url, key: key)
        replay.send(firstHello)
        #expect(await replay.waitUntilClosed())
        #expect(replay.closeReason?.contains("seen before") == true)

        // Restarted with nothing persisted, it dials once with counter 1 again (a fresh signature): accepted.
        let secondListed = try TestKeys.user().publicKey
        let second = await TestClient(url: server.url, key: key)
        second.send(try Self.hello(address, counter: 1, key: key))
        second.send(Self.update([secondListed]))
        #expect(await watcher.clientList { $0.fingerprints(at: address).contains(secondListed.fingerprint) } != nil)
        #expect(server.server.statistics.snapshot.neighbourCounterResets == 1)
        second.close()
        await server.stop()
    }

    @Test("a counter reset is refused from an address that is not the neighbour's")
    func counterResetFromElsewhereRefused() async throws {
        let key = try TestKeys.server()
        // The neighbour lives at 127.0.0.2; our test double connects from 127.0.0.1.
        let address = try ServerAddress(parsing: "127.0.0.2:\(try TestPorts.free())")
        let server = try await TestServer.start(neighbours: [Neighbour(address: address, publicKey: key.publicKey)])
        let first = await TestClient(url: server.url, key: key)
        first.send(try Self.hello(address, counter: 5, key: key))  // an ordinary hello: the source is not checked
        #expect(await waitUntil { await server.hub.linkState(of: address).links == 1 })
        first.close()
        #expect(await waitUntil { await server.hub.linkState(of: address).links == 0 })
        let reset = await TestClient(url: server.url, key: key)
        reset.send(try Self.hello(address, counter: 1, key: key))
        #expect(await reset.waitUntilClosed())
        #expect(reset.closeReason?.contains("not from 127.0.0.2") == true)
        #expect(server.server.statistics.snapshot.neighbourCounterResets == 0)
        await server.stop()
    }

    @Test("addresses are emitted as their servers spell them, and a neighbour is dialled at its URL (rule 12)")
    func spellingsAndURL() async throws {
        // Both servers name themselves without a port, as the reference implementation's users do; each dials the
        // other at a URL, as its neighbourhood file's `URL` field says.
        let ports = (try TestPorts.free(), try TestPorts.free())
        let keys = (try TestKeys.server(), try TestKeys.server())
        let names = (try ServerAddress(parsing: "Peer-A"), try ServerAddress(parsing: "peer-b"))
        let urls = (try ServerAddress(parsing: "ws://127.0.0.1:\(ports.0)"), try ServerAddress(parsing: "ws://127.0.0.1:\(ports.1)"))
        let a = try await TestServer.start(
            port: ports.0, key: keys.0,
            neighbours: [Neighbour(address: names.1, publicKey: keys.1.publicKey, url: urls.1)]
        ) { $0.publicAddress = names.0 }
        let b = try await TestServer.start(
            port: ports.1, key: keys.1,
            neighbours: [Neighbour(address: names.0, publicKey: keys.0.publicKey, url: urls.0)]
        ) { $0.publicAddress = names.1 }
        // A forwards over the socket it dialled: wait for that one too, not only for any link (an inbound link
        // alone was up first on a loaded machine, and the chat had no way to peer-b yet).
        #expect(await waitUntil { await a.hub.linkState(of: names.1).links >= 1 })
        #expect(await waitUntil { await a.hub.isLinked(names.1) })
        #expect(await waitUntil { await b.hub.isLinked(names.0) })
        let alice = try await TestClient.connected(to: a)
        let bob = try await TestClient.connected(to: b)
        let list = await alice.clientList {
            $0.servers.contains { $0.address == "peer-b" && $0.clients.contains { $0.fingerprint == bob.fingerprint } }
        }
        #expect(list != nil)
        // Never rewritten: no `peer-b:80`, and our own name as configured.
        #expect(list?.servers.map(\.address).sorted() == ["Peer-A", "peer-b"])
        // A chat addressed as another implementation would (the spelling from the list) reaches bob.
        let chat = try ChatCipher.seal(
            "spelled", from: alice.key.publicKey, to: [ChatRecipient(publicKey: bob.key.publicKey, homeServer: "peer-b")])
        #expect(chat.destinationServers == ["peer-b"])
        try alice.sendSigned(.chat(chat))
        #expect(await bob.waitForChat("spelled", from: alice) != nil)
        await a.stop()
        await b.stop()
    }

    @Test("a group chat naming each home server once reaches every recipient, locally and across servers (rule 11)")
    func groupChatWithOneDestination() async throws {
        let servers = try await Mesh.start(2)
        let (a, b) = (servers[0], servers[1])
        let alice = try await TestClient.connected(to: a)
        let (bob, carol) = (try await TestClient.connected(to: a), try await TestClient.connected(to: a))
        let (dave, erin) = (try await TestClient.connected(to: b), try await TestClient.connected(to: b))
        _ = await alice.clientList { $0.fingerprints(at: b.address).isSuperset(of: [dave.fingerprint, erin.fingerprint]) }

        /// The reference client's chat: two keys, one destination.
        func deduplicated(_ message: String, to recipients: [TestClient], at server: TestServer) throws -> ChatData {
            let chat = try ChatCipher.seal(
                message, from: alice.key.publicKey,
                to: recipients.map { ChatRecipient(publicKey: $0.key.publicKey, homeServer: server.address.spelling) })
            #expect(chat.destinationServers.count == 1 && chat.symmKeys.count == 2)
            return chat
        }
        try alice.sendSigned(.chat(try deduplicated("local group", to: [bob, carol], at: a)))
        #expect(await bob.waitForChat("local group", from: alice) != nil)
        #expect(await carol.waitForChat("local group", from: alice) != nil)
        let remote = try deduplicated("remote group", to: [dave, erin], at: b)
        try alice.sendSigned(.chat(remote))
        #expect(await dave.waitForChat("remote group", from: alice) != nil)
        #expect(await erin.waitForChat("remote group", from: alice) != nil)

        // Per-recipient lists with duplicates keep working, and reach the neighbour once.
        let before = b.server.statistics.snapshot.relayed
        let perRecipient = try ChatData(
            destinationServers: [b.address.spelling, b.address.spelling], iv: remote.iv, symmKeys: remote.symmKeys,
            ciphertext: remote.ciphertext)
        try alice.sendSigned(.chat(perRecipient))
        #expect(await waitUntil { b.server.statistics.snapshot.relayed == before + 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(b.server.statistics.snapshot.relayed == before + 1)
        await Mesh.stop(servers)
    }

    @Test("frames on our dialled socket count only after the other end proves itself there (amended rule 7)")
    func squatterAtNeighbourAddress() async throws {
        let neighbourKey = try TestKeys.server()
        let victim = try TestKeys.user().publicKey
        // A squatter: answers at the neighbour's address, lists a victim and pushes a chat, with no server_hello.
        let squatter = try await ScriptedPeer.start { _ in [Self.update([victim])] }
        let squatterAddress = try ServerAddress(parsing: "127.0.0.1:\(squatter.port)")
        let server = try await TestServer.start(
            neighbours: [Neighbour(address: squatterAddress, publicKey: neighbourKey.publicKey)])
        let watcher = try await TestClient.connected(to: server)
        #expect(await waitUntil { server.server.statistics.snapshot.dropped[.unauthenticatedLink, default: 0] >= 1 })
        #expect(await watcher.clientList().map { $0.fingerprints(at: squatterAddress).isEmpty } == true)
        #expect(await server.hub.linkState(of: squatterAddress).links == 0)
        await squatter.stop()

        // An honest neighbour that speaks on the socket it accepted: its server_hello there authenticates it.
        let honestKey = try TestKeys.server()
        let listed = try TestKeys.user().publicKey
        let honestPort = try TestPorts.free()
        let honestAddress = try ServerAddress(parsing: "127.0.0.1:\(honestPort)")
        let helloFrame = try Self.hello(honestAddress, counter: 1, key: honestKey)
        let honest = try await ScriptedPeer.start(port: honestPort) { _ in [helloFrame, Self.update([listed])] }
        await server.hub.setNeighbour(Neighbour(address: honestAddress, publicKey: honestKey.publicKey))
        server.server.linkService.dial(honestAddress)
        #expect(await watcher.clientList { $0.fingerprints(at: honestAddress).contains(listed.fingerprint) } != nil)
        #expect(await server.hub.linkState(of: honestAddress).outboundAuthenticated)
        await honest.stop()
        await server.stop()
    }

    @Test("a key listed by two neighbours is listed under neither, counted, and shown in status")
    func contestedKey() async throws {
        let server = try await TestServer.start()
        let watcher = try await TestClient.connected(to: server)
        let honest = try await FakeNeighbour.linked(to: server)
        let hostile = try await FakeNeighbour.linked(to: server)
        let (user, other) = (try TestKeys.user().publicKey, try TestKeys.user().publicKey)
        honest.sendClientUpdate([user])
        #expect(await watcher.clientList { $0.fingerprints(at: honest.address) == [user.fingerprint] } != nil)
        hostile.sendClientUpdate([user, other])
        let contested = await watcher.clientList {
            $0.fingerprints(at: hostile.address) == [other.fingerprint] && $0.fingerprints(at: honest.address).isEmpty
        }
        #expect(contested != nil)
        #expect(server.server.statistics.snapshot.neighbourKeyConflicts == 1)
        #expect(await server.hub.contestedClientCount == 1)
        // Withdrawn by the hostile neighbour: the honest listing is back.
        hostile.sendClientUpdate([other])
        #expect(await watcher.clientList { $0.fingerprints(at: honest.address) == [user.fingerprint] } != nil)
        #expect(await server.hub.contestedClientCount == 0)
        await server.stop()
    }

    @Test("removing or re-keying a neighbour cuts its inbound links too")
    func removalCutsInboundLinks() async throws {
        let server = try await TestServer.start()
        let watcher = try await TestClient.connected(to: server)
        let removed = try await FakeNeighbour.linked(to: server)
        removed.sendClientUpdate([try TestKeys.user().publicKey])
        #expect(await watcher.clientList { !$0.fingerprints(at: removed.address).isEmpty } != nil)
        await server.hub.removeNeighbour(at: removed.address)
        #expect(await removed.link.waitUntilClosed())
        #expect(await watcher.clientList { !$0.servers.contains { $0.address == removed.address.spelling } } != nil)

        let rekeyed = try await FakeNeighbour.linked(to: server)
        await server.hub.setNeighbour(Neighbour(address: rekeyed.address, publicKey: try TestKeys.server().publicKey))
        #expect(await rekeyed.link.waitUntilClosed())
        #expect(rekeyed.link.closeReason?.contains("re-keyed") == true)
        #expect(await server.hub.linkState(of: rekeyed.address).links == 0)
        await server.stop()
    }
}
