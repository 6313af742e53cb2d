import OlafTestSupport
import Core
import OlafCrypto
import Server
import Testing

/// Issue 15 item 10: a `hello` names no server and no time, so one captured at one server (by a hostile home server,
/// or off the wire without TLS) verifies at every other. A server must not take in a key that a neighbour lists as
/// connected there on the strength of such a replay: chats to that person would go to the replayer's socket.
@Suite("A hello replayed into another server of the neighbourhood", .serialized, .timeLimit(.minutes(2)))
struct HelloReplayAcrossServersTests {
    @Test("a key a neighbour lists is not admitted here; once the neighbour lets go, its owner connects")
    func replayedIntoAnotherServer() async throws {
        let server = try await TestServer.start()
        let watcher = try await TestClient.connected(to: server)
        let home = try await FakeNeighbour.linked(to: server)
        let victim = try TestKeys.user()
        home.sendClientUpdate([victim.publicKey])
        #expect(await watcher.clientList { $0.fingerprints(at: home.address) == [victim.publicKey.fingerprint] } != nil)

        // The hello the victim sent to its home server, replayed here with its (higher than ever seen here) counter.
        let replayer = await TestClient(url: server.url, key: victim)
        try replayer.sendSigned(.hello(HelloData(publicKey: victim.publicKey)), counter: 40)
        #expect(await replayer.waitUntilClosed())
        #expect(replayer.closeReason?.contains("connected at \(home.address)") == true)
        #expect(server.server.statistics.snapshot.dropped[.listedByNeighbour] == 1)
        watcher.requestClientList()
        let after = await watcher.clientList { $0.fingerprints(at: home.address) == [victim.publicKey.fingerprint] }
        #expect(after?.fingerprints(at: server.address) == [watcher.fingerprint])
        // The refusal recorded nothing: the same counter is still fresh here.
        home.sendClientUpdate([])
        #expect(await watcher.clientList { $0.fingerprints(at: home.address).isEmpty } != nil)
        let owner = await TestClient(url: server.url, key: victim)
        try owner.sendSigned(.hello(HelloData(publicKey: victim.publicKey)), counter: 40)
        let moved = await watcher.clientList { $0.fingerprints(at: server.address).contains(victim.publicKey.fingerprint) }
        #expect(moved != nil)
        #expect(!owner.hasEnded)
        await server.stop()
    }

    @Test("a client that left here moments ago comes back although a neighbour now lists it")
    func recentLocalClientReconnects() async throws {
        let server = try await TestServer.start()
        let watcher = try await TestClient.connected(to: server)
        let neighbour = try await FakeNeighbour.linked(to: server)
        let user = try TestKeys.user()
        let first = try await TestClient.connected(to: server, key: user)
        #expect(await watcher.clientList { $0.fingerprints(at: server.address).contains(user.publicKey.fingerprint) } != nil)
        first.close()
        #expect(await first.waitUntilClosed())
        #expect(await watcher.clientList { !$0.fingerprints(at: server.address).contains(user.publicKey.fingerprint) } != nil)
        // A neighbour claims the key while it is away (a network blip): the spec keeps our users ours.
        neighbour.sendClientUpdate([user.publicKey])
        #expect(await watcher.clientList { $0.fingerprints(at: neighbour.address) == [user.publicKey.fingerprint] } != nil)
        let again = await TestClient(url: server.url, key: user)
        try again.sendSigned(.hello(HelloData(publicKey: user.publicKey)), counter: 10)
        let back = await watcher.clientList { $0.fingerprints(at: server.address).contains(user.publicKey.fingerprint) }
        #expect(back?.fingerprints(at: neighbour.address) == [])
        #expect(!again.hasEnded)
        await server.stop()
    }
}
