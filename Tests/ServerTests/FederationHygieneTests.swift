import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

/// Issue 7, federation hygiene: what an authenticated but misbehaving (or amnesiac) neighbour can and cannot do.
@Suite(
    "Federation hygiene: client list slices, client_update caps, server_hello replays", .serialized,
    .timeLimit(.minutes(3)))
struct FederationHygieneTests {
    @Test("a neighbour's client_update changes only its own slice of the client list")
    func ownSliceOnly() async throws {
        let server = try await TestServer.start()
        let watcher = try await TestClient.connected(to: server)
        let a = try await FakeNeighbour.linked(to: server)
        let b = try await FakeNeighbour.linked(to: server)
        let (a1, b1, b2) = (try TestKeys.user().publicKey, try TestKeys.user().publicKey, try TestKeys.user().publicKey)
        a.sendClientUpdate([a1])
        b.sendClientUpdate([b1, b2])
        let both = await watcher.clientList {
            $0.fingerprints(at: a.address) == [a1.fingerprint]
                && $0.fingerprints(at: b.address) == [b1.fingerprint, b2.fingerprint]
        }
        #expect(both != nil)
        // A empties its list: B's slice is untouched.
        a.sendClientUpdate([])
        let emptied = await watcher.clientList { $0.fingerprints(at: a.address).isEmpty }
        #expect(emptied?.fingerprints(at: b.address) == [b1.fingerprint, b2.fingerprint])
        // A lists one of B's clients: that key is contested, so it is listed under neither (NeighbourClaims); A
        // gains nothing and B keeps the rest of its slice. Once A lets go, B's slice is whole again.
        a.sendClientUpdate([b1])
        let contested = await watcher.clientList { $0.fingerprints(at: b.address) == [b2.fingerprint] }
        #expect(contested?.fingerprints(at: a.address) == [])
        #expect(contested?.fingerprints(at: server.address) == [watcher.fingerprint])
        a.sendClientUpdate([])
        let released = await watcher.clientList { $0.fingerprints(at: b.address) == [b1.fingerprint, b2.fingerprint] }
        #expect(released != nil)
        await server.stop()
    }

    @Test("a client_update over max_clients_per_server or with an invalid key is rejected whole and counted")
    func oversizedOrInvalidClientUpdate() async throws {
        let server = try await TestServer.start { $0.limits.protocolLimits.maxClientsPerServer = 500 }
        let watcher = try await TestClient.connected(to: server)
        let neighbour = try await FakeNeighbour.linked(to: server)
        let listed = [try TestKeys.user().publicKey, try TestKeys.user().publicKey]
        neighbour.sendClientUpdate(listed)
        #expect(await watcher.clientList { $0.fingerprints(at: neighbour.address).count == 2 } != nil)

        // Hundreds of keys over the cap (the same valid PEM: the count is checked before any key is parsed).
        let pem = JSONWriter.compact(.string(try TestKeys.user().publicKey.canonicalPEM))
        func update(_ count: Int) -> String {
            "{\"type\":\"client_update\",\"clients\":[" + Array(repeating: pem, count: count).joined(separator: ",")
                + "]}"
        }
        neighbour.link.send(update(800))
        // Over the JSON element cap as well (1,000 here): refused by the parser, counted as json_size.
        neighbour.link.send(update(1500))
        // One invalid PEM among valid ones.
        let invalid = JSONWriter.compact(.string("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
        neighbour.link.send("{\"type\":\"client_update\",\"clients\":[\(pem),\(invalid)]}")
        #expect(await waitUntil { server.server.abuse.refusals[.clientUpdateRejected] == 2 })
        #expect(await waitUntil { server.server.abuse.refusals[.jsonSize] == 1 })
        let list = await watcher.clientList()
        #expect(list?.fingerprints(at: neighbour.address) == Set(listed.map(\.fingerprint)))
        #expect(!neighbour.link.hasEnded)
        await server.stop()
    }

    @Test("a replayed server_hello is refused after an olafd restart; olafctl neighbours reset-counter recovers")
    func replayedServerHelloAcrossRestart() async throws {
        let state = OlafdProcess.temporaryDirectory()
        let port = try TestPorts.free()
        let neighbourKey = try TestKeys.server()
        let neighbourAddress = try ServerAddress(parsing: "127.0.0.1:\(try TestPorts.free())")
        let file = (state as NSString).appendingPathComponent("neighbours.json")
        let entry: JSONValue = .array([
            .object([
                "address": .string(neighbourAddress.canonical),
                "public_key": .string(neighbourKey.publicKey.canonicalPEM),
            ])
        ])
        try JSONWriter.python(entry).write(toFile: file, atomically: true, encoding: .utf8)
        let arguments = ["--neighbours-file", file]
        var server = try await OlafdProcess(port: port, stateDirectory: state, extra: arguments)
        let listedKey = try TestKeys.user().publicKey
        let update = OlafMessage.clientUpdate(ClientUpdate(clients: [listedKey])).text

        /// Links with `hello`; true when the server accepted it (the listed client shows up).
        func linkWith(_ hello: String, url: String) async throws -> (accepted: Bool, link: TestClient) {
            let link = await TestClient(url: url, key: neighbourKey)
            link.send(hello)
            link.send(update)
            let watcher = try await TestClient.connected(to: url)
            let seen =
                await watcher.clientList(timeout: .seconds(20)) {
                    $0.fingerprints(at: neighbourAddress).contains(listedKey.fingerprint)
                } != nil
            watcher.close()
            return (seen, link)
        }

        let hello = OlafMessage.signed(
            try SignedEnvelope.sign(
                .serverHello(ServerHelloData(sender: neighbourAddress)), counter: 7, with: neighbourKey)
        ).text
        let first = try await linkWith(hello, url: server.url)
        #expect(first.accepted)
        first.link.close()
        try await Task.sleep(for: .milliseconds(400))  // past the 100 ms counter write-behind window
        #expect(await server.stop(signal: SIGTERM) == 0)

        server = try await OlafdProcess(port: port, stateDirectory: state, extra: arguments)
        let replay = await TestClient(url: server.url, key: neighbourKey)
        replay.send(hello)
        #expect(await replay.waitUntilClosed())
        #expect(replay.closeCode == 1008)
        #expect(replay.closeReason?.contains("replayed") == true)

        // The neighbour lost its state and starts counting again from 7: the operator resets our counter.
        let socket = (state as NSString).appendingPathComponent("control.sock")
        let reset = try await runProcess(
            OlafdProcess.binary.deletingLastPathComponent().appendingPathComponent("olafctl"),
            ["neighbours", "reset-counter", neighbourAddress.canonical, "--socket", socket])
        #expect(reset.status == 0)
        let again = try await linkWith(hello, url: server.url)
        #expect(again.accepted)
        again.link.close()
        _ = await server.stop()
    }
}

extension TestClient {
    /// Connects to `url` and says hello.
    static func connected(to url: String) async throws -> TestClient {
        let client = await TestClient(url: url, key: try TestKeys.user())
        try client.sendHello()
        return client
    }
}
