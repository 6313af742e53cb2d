import OlafTestSupport
import Client
import Core
import Foundation
import NIOCore
import OlafCrypto
import Testing

/// The client engine against real olafd servers on loopback.
@Suite("Client engine: real servers", .serialized, .timeLimit(.minutes(3)))
struct EngineIntegrationTests {
    @Test("two clients on two linked servers exchange public, direct and group messages and a file")
    func exchange() async throws {
        let servers = try await Mesh.start(2)
        let alice = try await EngineHarness.start(on: servers[0].address)
        let bob = try await EngineHarness.start(on: servers[1].address)
        let carol = try await EngineHarness.start(on: servers[0].address)
        let everyone = [alice, bob, carol].map(\.fingerprint)
        for client in [alice, bob, carol] {
            #expect(await waitUntil { await client.sees(everyone) }, "every client listed for every client")
        }

        // Public: one sender, everyone else receives it verified.
        let sent = try await alice.engine.sendPublic("hello neighbourhood")
        #expect(sent.status == .sent)
        for receiver in [bob, carol] {
            let got = await receiver.waitForMessage("hello neighbourhood", in: ConversationID.publicChannel)
            #expect(got?.sender == alice.fingerprint)
            #expect(got?.status == .verified)
        }

        // Direct, across the link, and the reply lands in the same conversation on both sides.
        let direct = ConversationID.chat(participants: [alice.fingerprint, bob.fingerprint])
        _ = try await alice.engine.sendChat("hi bob", to: [bob.fingerprint])
        #expect(await bob.waitForMessage("hi bob", in: direct)?.direction == .incoming)
        _ = try await bob.engine.sendChat("hi alice", to: [alice.fingerprint])
        #expect(await alice.waitForMessage("hi alice", in: direct)?.sender == bob.fingerprint)
        #expect(await carol.messages(in: direct).isEmpty)
        let conversations = try await bob.store.conversations()
        #expect(conversations.first { $0.id == direct }?.kind == .direct)

        // Group of three on two servers.
        let group = ConversationID.chat(participants: everyone)
        _ = try await alice.engine.sendChat("group hello", to: [bob.fingerprint, carol.fingerprint])
        for receiver in [bob, carol] {
            #expect(await receiver.waitForMessage("group hello", in: group) != nil)
        }
        #expect(try await carol.store.conversations().first { $0.id == group }?.participants.count == 3)

        // A file: uploaded to alice's home server, its link sent encrypted, downloadable by bob.
        let bytes = Array("file body \u{1F4CE}\n".utf8) + (0..<5000).map { UInt8($0 % 251) }
        let uploader = FileUploader(home: servers[0].address)
        let url = try await uploader.upload(
            name: "notes \"v1\".txt", size: Int64(bytes.count), body: Chunks(bytes: bytes, chunkSize: 1000))
        #expect(url.hasPrefix("http://127.0.0.1:\(servers[0].port)/api/files/"))
        let link = FileLink(url: url, name: "notes.txt", size: Int64(bytes.count))
        _ = try await alice.engine.sendChat(url, to: [bob.fingerprint], file: link)
        let received = await bob.waitForMessage(url, in: direct)
        #expect(received?.file?.url == url)
        let path = String(url.dropFirst("http://127.0.0.1:\(servers[0].port)".count))
        let download = try await RawHTTP.request(
            path: path, port: servers[0].port, headers: [("Host", "127.0.0.1:\(servers[0].port)")])
        #expect(download.status == 200)
        #expect(download.body == bytes)

        for client in [alice, bob, carol] { await client.stop() }
        await Mesh.stop(servers)
    }

    @Test("sending to someone not online, or while disconnected, fails with a clear error")
    func sendErrors() async throws {
        let server = try await TestServer.start()
        // A slow retry, so the engine is not reconnecting while the server shuts down.
        let alice = try await EngineHarness.start(on: server.address) { $0.initialBackoff = .seconds(5) }
        #expect(await waitUntil { await alice.isOnline })
        let stranger = try TestKeys.user().publicKey.fingerprint
        await #expect(throws: SendError.self) { try await alice.engine.sendChat("hi", to: [stranger]) }
        do {
            _ = try await alice.engine.sendChat("hi", to: [stranger])
        } catch {
            #expect("\(error)".contains("not online"))
        }
        await #expect(throws: SendError.self) { try await alice.engine.sendChat("hi", to: [alice.fingerprint]) }
        await server.stop()
        #expect(await waitUntil { await alice.engine.snapshot().connection.state == .offline })
        do {
            _ = try await alice.engine.sendPublic("anyone?")
            Issue.record("sending while offline succeeded")
        } catch {
            #expect("\(error)".contains("not connected"))
        }
        await alice.stop()
    }

    @Test("an unreachable home server is reported and retried")
    func unreachable() async throws {
        let port = try TestPorts.free()
        let alice = try await EngineHarness.start(on: try ServerAddress(parsing: "127.0.0.1:\(port)"))
        #expect(
            await waitUntil {
                let status = await alice.engine.snapshot().connection
                return status.state == .offline && status.detail?.contains("cannot reach") == true
            })
        // The server appears later: the engine connects on a retry.
        let server = try await TestServer.start(port: port)
        #expect(await waitUntil { await alice.isOnline })
        await alice.stop()
        await server.stop()
    }

    @Test("a home server that accepts TCP but never answers the upgrade is abandoned and redialled")
    func silentHomeServer() async throws {
        let trap = try TCPTrap()
        let alice = try await EngineHarness.start(on: try ServerAddress(parsing: "127.0.0.1:\(trap.port)")) {
            $0.handshakeTimeout = .milliseconds(300)
        }
        #expect(
            await waitUntil {
                let status = await alice.engine.snapshot().connection
                return status.state == .offline && status.detail?.contains("no WebSocket handshake") == true
            })
        #expect(await waitUntil { trap.acceptedConnections >= 2 }, "the engine did not dial again")
        await alice.stop()
    }

    @Test("the own counter survives a restart: the server accepts the new hello and later messages")
    func counterSurvivesRestart() async throws {
        let server = try await TestServer.start()
        let key = try TestKeys.user()
        let path = EngineHarness.temporaryStorePath()
        let observer = try await EngineHarness.start(on: server.address)
        var alice = try await EngineHarness.start(on: server.address, key: key, storePath: path)
        #expect(await waitUntil { await alice.isOnline })
        for index in 0..<3 { _ = try await alice.engine.sendPublic("before restart \(index)") }
        let lastBefore = await alice.engine.lastOwnCounter
        #expect(try await alice.store.reservedCounter() >= lastBefore)
        await alice.stop()

        alice = try await EngineHarness.start(on: server.address, key: key, storePath: path)
        // The server refuses a hello whose counter is not above the last it saw (close 1008): online means accepted.
        #expect(await waitUntil { await alice.isOnline })
        #expect(await alice.engine.lastOwnCounter > lastBefore)
        _ = try await alice.engine.sendPublic("after restart")
        #expect(await observer.waitForMessage("after restart", in: ConversationID.publicChannel) != nil)
        await alice.stop()
        await observer.stop()
        await server.stop()
    }
}

/// A byte array as an async sequence of ByteBuffers.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let chunkSize: Int
        var offset = 0
        mutating func next() async -> ByteBuffer? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(bytes.count, offset + chunkSize)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, chunkSize: chunkSize) }
}
