import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

/// Several linked servers on loopback: links, lists, routing across the mesh, and what a neighbour may not do.
@Suite("Relay: the neighbourhood", .timeLimit(.minutes(3)))
struct NeighbourhoodTests {
    @Test("linked servers list each other's clients")
    func listsAcrossServers() async throws {
        let servers = try await Mesh.start(2)
        let alice = try await TestClient.connected(to: servers[0])
        let bob = try await TestClient.connected(to: servers[1])
        let list = await alice.clientList { $0.fingerprints(at: servers[1].address).contains(bob.fingerprint) }
        #expect(list?.fingerprints(at: servers[0].address) == [alice.fingerprint])
        #expect(list?.fingerprints(at: servers[1].address) == [bob.fingerprint])
        await Mesh.stop(servers)
    }

    @Test("a private chat crosses to the recipient's server")
    func privateChatAcrossTwo() async throws {
        let servers = try await Mesh.start(2)
        let alice = try await TestClient.connected(to: servers[0])
        let bob = try await TestClient.connected(to: servers[1])
        _ = await alice.clientList { $0.fingerprints(at: servers[1].address).contains(bob.fingerprint) }
        try alice.sendChat("across the link", to: [(bob, servers[1])])
        #expect(await bob.waitForChat("across the link", from: alice) != nil)
        await Mesh.stop(servers)
    }

    @Test("a group chat across three servers opens for every recipient")
    func groupChatAcrossThree() async throws {
        let servers = try await Mesh.start(3)
        let alice = try await TestClient.connected(to: servers[0])
        let bob = try await TestClient.connected(to: servers[1])
        let carol = try await TestClient.connected(to: servers[2])
        let dave = try await TestClient.connected(to: servers[0])
        _ = await alice.clientList {
            $0.fingerprints(at: servers[1].address).contains(bob.fingerprint)
                && $0.fingerprints(at: servers[2].address).contains(carol.fingerprint)
                && $0.fingerprints(at: servers[0].address).contains(dave.fingerprint)
        }
        try alice.sendChat("group hello", to: [(bob, servers[1]), (carol, servers[2]), (dave, servers[0])])
        for (name, recipient) in [("bob", bob), ("carol", carol), ("dave", dave)] {
            let opened = await recipient.waitForChat("group hello", from: alice)
            #expect(opened?.participants.count == 4, "\(name) did not get the group chat")
        }
        await Mesh.stop(servers)
    }

    @Test("a public chat reaches every client of a three-server mesh exactly once")
    func publicChatAcrossThree() async throws {
        let servers = try await Mesh.start(3)
        var clients: [TestClient] = []
        for server in servers {
            clients.append(try await TestClient.connected(to: server))
            clients.append(try await TestClient.connected(to: server))
        }
        _ = await clients[0].clientList { list in servers.allSatisfy { list.fingerprints(at: $0.address).count == 2 } }
        let frame = try clients[0].sendPublicChat("to the whole neighbourhood")
        for client in clients.dropFirst() {
            #expect(await client.waitForPublicChat("to the whole neighbourhood", from: clients[0]))
        }
        try await Task.sleep(for: .milliseconds(200))
        for client in clients.dropFirst() { #expect(client.received.filter { $0 == frame }.count == 1) }
        await Mesh.stop(servers)
    }

    @Test("a burst bigger than a client's outbound queue crosses the neighbour link without dropping it")
    func burstAcrossTheLink() async throws {
        // Clients of the sending server get a tiny queue; the link to the neighbour has its own, larger one
        // (before, the link shared the clients' capacity and a burst cut it as a "slow consumer").
        let servers = try await Mesh.start(2) { index, configuration in
            configuration.limits.messagesPerSecondPerClient = 100_000
            configuration.limits.messageBurstPerClient = 100_000
            if index == 0 { configuration.limits.outboxBytes = 4096 }
        }
        let alice = try await TestClient.connected(to: servers[0])
        let bob = try await TestClient.connected(to: servers[1])
        _ = await bob.clientList { $0.fingerprints(at: servers[0].address).contains(alice.fingerprint) }
        let burst = 2_000
        for index in 0..<burst { _ = try alice.sendPublicChat("burst \(index)") }
        #expect(await bob.waitForPublicChat("burst \(burst - 1)", from: alice))
        #expect(bob.received.filter { $0.contains("burst ") }.count == burst)
        #expect(servers[0].server.statistics.snapshot.dropped[.slowConsumer, default: 0] == 0)
        #expect(await servers[0].hub.isLinked(servers[1].address))
        await Mesh.stop(servers)
    }

    @Test("server_hello from an unconfigured address or signed with the wrong key is refused")
    func fakeServerHello() async throws {
        let server = try await TestServer.start()
        let impostorKey = try TestKeys.server()
        let unknown = await TestClient(url: server.url, key: impostorKey)
        try unknown.sendSigned(.serverHello(ServerHelloData(sender: try ServerAddress(parsing: "127.0.0.1:1"))))
        #expect(await unknown.waitUntilClosed())
        #expect(unknown.closeCode == 1008)

        // A configured neighbour address, but the frame is signed by someone else's key.
        let realKey = try TestKeys.server()
        let neighbourAddress = try ServerAddress(parsing: "127.0.0.1:\(try TestPorts.free())")
        await server.hub.setNeighbour(Neighbour(address: neighbourAddress, publicKey: realKey.publicKey))
        let forger = await TestClient(url: server.url, key: impostorKey)
        try forger.sendSigned(.serverHello(ServerHelloData(sender: neighbourAddress)))
        #expect(await forger.waitUntilClosed())
        #expect(forger.closeReason?.contains("does not verify") == true)

        // The genuine key works, once; replaying the same server_hello on a fresh connection is refused.
        let genuine = await TestClient(url: server.url, key: realKey)
        let hello = try genuine.sendSigned(.serverHello(ServerHelloData(sender: neighbourAddress)))
        genuine.send(OlafMessage.clientUpdate(ClientUpdate(clients: [try TestKeys.user().publicKey])).text)
        let watcher = try await TestClient.connected(to: server)
        #expect(await watcher.clientList { $0.fingerprints(at: neighbourAddress).count == 1 } != nil)
        let replay = await TestClient(url: server.url, key: realKey)
        replay.send(hello)
        #expect(await replay.waitUntilClosed())
        #expect(replay.closeReason?.contains("replayed") == true)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("client_update on a link that never sent server_hello is not accepted")
    func unauthenticatedClientUpdate() async throws {
        let server = try await TestServer.start()
        let stranger = await TestClient(url: server.url, key: try TestKeys.server())
        stranger.send(OlafMessage.clientUpdate(ClientUpdate(clients: [try TestKeys.user().publicKey])).text)
        #expect(await stranger.waitUntilClosed())
        let watcher = try await TestClient.connected(to: server)
        #expect(await watcher.clientList()?.servers.count == 1)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a neighbour cannot claim a client connected here")
    func neighbourCannotClaimOurClients() async throws {
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        let neighbour = try await FakeNeighbour.linked(to: server)
        let neighbourAddress = neighbour.address
        let other = try TestKeys.user()
        neighbour.sendClientUpdate([alice.key.publicKey, other.publicKey])
        let list = await alice.clientList { $0.fingerprints(at: neighbourAddress).count == 1 }
        #expect(list?.fingerprints(at: neighbourAddress) == [other.publicKey.fingerprint])
        #expect(list?.fingerprints(at: server.address) == [alice.fingerprint])
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a public chat relayed by a neighbour is delivered when its sender is a listed key in any spelling")
    func relayedSenderSpellings() async throws {
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        let neighbour = try await FakeNeighbour.linked(to: server)
        let (neighbourAddress, link) = (neighbour.address, neighbour.link)
        let remote = try TestKeys.user()
        neighbour.sendClientUpdate([remote.publicKey])
        _ = await alice.clientList { $0.fingerprints(at: neighbourAddress).count == 1 }
        let hex = SHA256Hasher.hash(utf8: remote.publicKey.canonicalPEM).map { byte in
            (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined().uppercased()
        let spoof = String(repeating: "AB", count: 32)
        for (counter, sender) in [(1, hex), (2, spoof), (3, remote.publicKey.fingerprint)] {
            try link.sendSigned(
                .publicChat(PublicChatData(sender: sender, message: "from afar \(counter)")), counter: UInt64(counter),
                signer: remote)
        }
        #expect(await alice.waitFor { _, text in text.contains("from afar 3") } != nil)
        #expect(alice.received.contains { $0.contains("from afar 1") }, "the upper-case hex spelling was refused")
        #expect(!alice.received.contains { $0.contains("from afar 2") }, "a made-up sender was delivered")
        #expect(server.server.statistics.snapshot.dropped[.unknownSender, default: 0] == 1)
        await server.stop()
    }

    @Test("a destination that is not a configured neighbour is never dialled")
    func noDialToUnknownDestination() async throws {
        let trap = try TCPTrap()
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 2 }
        let chat = try ChatCipher.seal(
            "x", from: alice.key.publicKey,
            to: [
                ChatRecipient(publicKey: bob.key.publicKey, homeServer: "127.0.0.1:\(trap.port)"),
                ChatRecipient(publicKey: bob.key.publicKey, homeServer: "ws://127.0.0.1:\(trap.port)/"),
            ])
        try alice.sendSigned(.chat(chat))
        try alice.sendPublicChat("marker")
        #expect(await bob.waitForPublicChat("marker", from: alice))
        try await Task.sleep(for: .milliseconds(300))
        #expect(trap.acceptedConnections == 0)
        #expect(server.server.statistics.snapshot.dropped[.unknownDestination, default: 0] >= 1)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a neighbour killed and restarted: link and client lists recover, the other server is untouched")
    func neighbourRestart() async throws {
        var servers = try await Mesh.start(2)
        let alice = try await TestClient.connected(to: servers[0])
        let bob = try await TestClient.connected(to: servers[1])
        #expect(await alice.clientList { $0.fingerprints(at: servers[1].address).contains(bob.fingerprint) } != nil)

        let (port, key, state) = (servers[1].port, servers[1].key, servers[1].stateDirectory)
        await servers[1].stop()
        #expect(await bob.waitUntilClosed())
        #expect(await alice.clientList { $0.fingerprints(at: servers[1].address).isEmpty } != nil)
        #expect(!alice.hasEnded)

        servers[1] = try await TestServer.start(port: port, key: key, stateDirectory: state)
        #expect(await waitUntil(timeout: .seconds(40)) { await servers[0].hub.isLinked(servers[1].address) })
        // Bob's old counters were persisted before the restart: starting again at 1 is a replay.
        let replaying = try await TestClient.connected(to: servers[1], key: bob.key)
        #expect(await replaying.waitUntilClosed())
        #expect(replaying.closeReason?.contains("hello refused") == true)
        let bob2 = await TestClient(url: servers[1].url, key: bob.key, firstCounter: 100)
        try bob2.sendHello()
        #expect(
            await alice.clientList(timeout: .seconds(20)) {
                $0.fingerprints(at: servers[1].address).contains(bob.fingerprint)
            } != nil)
        try alice.sendPublicChat("welcome back")
        #expect(await bob2.waitForPublicChat("welcome back", from: alice))
        await Mesh.stop(servers)
    }
}

@Suite("Relay: dialling", .timeLimit(.minutes(1)))
struct DiallingTests {
    @Test("a neighbour that accepts TCP but never answers is redialled, not waited on forever")
    func silentNeighbour() async throws {
        let trap = try TCPTrap()
        let neighbour = Neighbour(
            address: try ServerAddress(parsing: "127.0.0.1:\(trap.port)"),
            publicKey: try TestKeys.server().publicKey)
        let server = try await TestServer.start(neighbours: [neighbour]) { $0.limits.helloTimeout = .milliseconds(300) }
        #expect(await waitUntil(timeout: .seconds(15)) { trap.acceptedConnections >= 3 })
        #expect(await !server.hub.isLinked(neighbour.address))
        await server.stop()
    }
}
