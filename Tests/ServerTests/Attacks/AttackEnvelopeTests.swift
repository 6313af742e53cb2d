import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

extension AttackSuite {
    /// Forged and replayed envelopes (issue 7 attack suite). Already proven elsewhere, with the health check added:
    /// signatures by another key, tampered data and spoofed `public_chat.sender` (ClientRelayTests.forgeries),
    /// replays on the same connection (ClientRelayTests.replays), a replayed `hello` on a new connection
    /// (ClientRelayTests.helloReplacesAndReplays), a replayed `hello` after a restart (RobustnessTests.replayAfterRestart)
    /// and after `kill -9` (OlafdProcessTests.killNine). A `chat` whose `participants[0]` claims another sender is
    /// refused by recipients (ClientTests EngineVerificationTests): servers cannot open chats.
    @Suite("Attack: forged and replayed envelopes", .timeLimit(.minutes(3)))
    struct AttackEnvelopeTests {
        /// A `signed_data` frame with exactly these fields (nil leaves one out).
        private func frame(data: JSONValue?, counter: UInt64, signature: [UInt8]?) -> String {
            var object: JSONObject = ["type": "signed_data", "counter": .integer(counter)]
            if let data { object["data"] = data }
            if let signature { object["signature"] = .string(Base64.encode(signature)) }
            return JSONWriter.compact(.object(object))
        }

        private func publicChat(_ sender: TestClient, _ message: String) -> JSONValue {
            .object(PublicChatData(sender: sender.fingerprint, message: message).wireObject)
        }

        @Test("absent, empty, garbage signatures and signatures over the wrong bytes are all dropped")
        func signaturesOverWrongBytes() async throws {
            let server = try await TestServer.start()
            let alice = try await TestClient.connected(to: server)
            let bob = try await TestClient.connected(to: server)
            _ = await bob.clientList { $0.fingerprints(at: server.address).count == 2 }
            let key = alice.key
            var attacks: [String: String] = [:]
            func attack(_ name: String, _ build: (String, String, UInt64) throws -> String) throws {
                let object = publicChat(alice, "attack \(name)")
                let data = JSONWriter.python(object)
                attacks[name] = try build(data, JSONWriter.compact(object), alice.nextCounter())
            }
            try attack("absent") { data, _, counter in frame(data: .string(data), counter: counter, signature: nil) }
            try attack("empty") { data, _, counter in frame(data: .string(data), counter: counter, signature: []) }
            try attack("zeros") { data, _, counter in
                frame(data: .string(data), counter: counter, signature: [UInt8](repeating: 0, count: 256))
            }
            try attack("short") { data, _, counter in
                let signature = try key.signPSS(sha256Digest: SignedEnvelope.signedDigest(data: data, counter: counter))
                return frame(data: .string(data), counter: counter, signature: Array(signature.prefix(255)))
            }
            // Signed over the compact re-serialisation, sent in the Python layout: the server must verify the string
            // as received, never a re-serialisation of it.
            try attack("reserialised") { data, compact, counter in
                let signature = try key.signPSS(
                    sha256Digest: SignedEnvelope.signedDigest(data: compact, counter: counter))
                return frame(data: .string(data), counter: counter, signature: signature)
            }
            try attack("without-counter") { data, _, counter in
                frame(data: .string(data), counter: counter, signature: try key.signPSS(Array(data.utf8)))
            }
            try attack("counter-then-data") { data, _, counter in
                frame(
                    data: .string(data), counter: counter, signature: try key.signPSS(Array("\(counter)\(data)".utf8)))
            }
            try attack("other-counter") { data, _, counter in
                let signature = try key.signPSS(
                    sha256Digest: SignedEnvelope.signedDigest(data: data, counter: counter - 1))
                return frame(data: .string(data), counter: counter, signature: signature)
            }
            // v1.1 object data: a client's signature can only be checked over a string, so it is never accepted.
            try attack("object-data") { data, _, counter in
                let signature = try key.signPSS(sha256Digest: SignedEnvelope.signedDigest(data: data, counter: counter))
                return frame(data: publicChat(alice, "attack object-data"), counter: counter, signature: signature)
            }
            for (_, text) in attacks.sorted(by: { $0.key < $1.key }) { alice.send(text) }
            try alice.sendPublicChat("genuine")
            #expect(await bob.waitForPublicChat("genuine", from: alice))
            let received = bob.received.joined()
            for name in attacks.keys { #expect(!received.contains("attack \(name)"), "\(name) was delivered") }
            let dropped = server.server.statistics.snapshot.dropped.values.reduce(0, +)
            #expect(dropped >= attacks.count)
            #expect(!alice.hasEnded)
            try await assertHealthy(server)
            await server.stop()
        }

        @Test("a public chat replayed on a new connection of the same key is dropped")
        func replayAfterReconnect() async throws {
            let server = try await TestServer.start()
            let key = try TestKeys.user()
            let alice = await TestClient(url: server.url, key: key)
            try alice.sendHello()
            let bob = try await TestClient.connected(to: server)
            _ = await bob.clientList { $0.fingerprints(at: server.address).count == 2 }
            let captured = try alice.sendPublicChat("only once")
            #expect(await bob.waitForPublicChat("only once", from: alice))
            alice.close()
            #expect(await alice.waitUntilClosed())

            let again = await TestClient(url: server.url, key: key, firstCounter: 100)
            try again.sendHello()
            _ = await again.clientList { $0.fingerprints(at: server.address).contains(again.fingerprint) }
            again.send(captured)
            try again.sendPublicChat("after reconnect")
            #expect(await bob.waitForPublicChat("after reconnect", from: again))
            #expect(bob.received.filter { $0 == captured }.count == 1)
            #expect(server.server.statistics.snapshot.dropped[.replayedCounter, default: 0] >= 1)
            try await assertHealthy(server)
            await server.stop()
        }

        @Test("a public chat replayed into olafd after a restart is dropped (counters persisted)")
        func replayAfterProcessRestart() async throws {
            let state = OlafdProcess.temporaryDirectory()
            let port = try TestPorts.free()
            let address = try ServerAddress(parsing: "127.0.0.1:\(port)")
            var server = try await OlafdProcess(port: port, stateDirectory: state)
            let key = try TestKeys.user()
            let alice = await TestClient(url: server.url, key: key, firstCounter: 10)
            try alice.sendHello()
            let bob = try await TestClient.connected(to: server.url)
            _ = await bob.clientList { $0.fingerprints(at: address).count == 2 }
            let captured = try alice.sendPublicChat("before the restart")
            #expect(await bob.waitForPublicChat("before the restart", from: alice))
            #expect(await server.stop(signal: SIGTERM) == 0)

            server = try await OlafdProcess(port: port, stateDirectory: state)
            let again = await TestClient(url: server.url, key: key, firstCounter: 200)
            try again.sendHello()
            let listener = try await TestClient.connected(to: server.url)
            _ = await listener.clientList { $0.fingerprints(at: address).count == 2 }
            again.send(captured)
            try again.sendPublicChat("after the restart")
            #expect(await listener.waitForPublicChat("after the restart", from: again))
            #expect(!listener.received.contains(captured))
            try await assertHealthy(url: server.url, address: address)
            _ = await server.stop()
        }

        @Test("a frame relayed A→B and replayed into B (by another client, or its sender) is not delivered twice")
        func replayAtAnotherServer() async throws {
            let servers = try await Mesh.start(2)
            let alice = try await TestClient.connected(to: servers[0])
            let carol = try await TestClient.connected(to: servers[1])
            _ = await alice.clientList { $0.fingerprints(at: servers[1].address).contains(carol.fingerprint) }
            let captured = try alice.sendPublicChat("relayed once")
            #expect(await carol.waitForPublicChat("relayed once", from: alice))

            // Mallory, a client of B, replays the captured frame: it is not signed by her key.
            let mallory = try await TestClient.connected(to: servers[1])
            _ = await mallory.clientList()
            mallory.send(captured)
            // Alice moves to B (B admits her once A no longer lists her: HelloReplayAcrossServersTests) and
            // replays it there: the counter is not above the one she said hello with.
            alice.close()
            _ = await carol.clientList { !$0.fingerprints(at: servers[0].address).contains(alice.fingerprint) }
            let aliceAtB = await TestClient(url: servers[1].url, key: alice.key, firstCounter: 500)
            try aliceAtB.sendHello()
            _ = await aliceAtB.clientList()
            aliceAtB.send(captured)
            try aliceAtB.sendPublicChat("marker")
            #expect(await carol.waitForPublicChat("marker", from: aliceAtB))
            #expect(carol.received.filter { $0 == captured }.count == 1)
            let dropped = servers[1].server.statistics.snapshot.dropped
            #expect(dropped[.badSignature, default: 0] >= 1)
            #expect(dropped[.replayedCounter, default: 0] >= 1)
            for server in servers { try await assertHealthy(server) }
            await Mesh.stop(servers)
        }
    }
}
