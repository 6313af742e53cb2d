import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

/// Limits and state that must hold under pressure: oversized frames, stalled readers, restarts.
@Suite("Relay: limits, slow peers and restarts", .timeLimit(.minutes(3)))
struct RobustnessTests {
    @Test("a frame over the 1 MiB limit is refused with 1009 and the server keeps serving")
    func oversizedFrame() async throws {
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        _ = await alice.clientList()
        // Just over the limit: the refusal comes from the frame header's length, and every byte sent costs the
        // client's event loop time (masking).
        alice.send(String(repeating: "x", count: (1 << 20) + 1024))
        #expect(await alice.waitUntilClosed())
        #expect(alice.closeCode == 1009)
        let bob = try await TestClient.connected(to: server)
        #expect(await bob.clientList { $0.fingerprints(at: server.address).contains(bob.fingerprint) } != nil)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a client that stops reading is disconnected while the others keep receiving")
    func slowReader() async throws {
        let server = try await TestServer.start {
            $0.limits.outboxBytes = 4 << 20  // ~70 frames of 60 KB: the healthy reader is never that far behind
            $0.limits.messagesPerSecondPerClient = 100_000
            $0.limits.messageBurstPerClient = 100_000
            $0.limits.abuse.bytesPerSecondPerClient = 1e12
            $0.limits.abuse.byteBurstPerClient = 1e12
        }
        let sender = try await TestClient.connected(to: server)
        let stalled = try await TestClient.connected(to: server)
        let healthy = try await TestClient.connected(to: server)
        _ = await sender.clientList { $0.fingerprints(at: server.address).count == 3 }
        stalled.setReading(false)
        let filler = String(repeating: "z", count: 60_000)
        var sent = 0
        // Bounded: at most 2,000 frames of 60 KB; the stalled client must be dropped long before.
        while sent < 2000, await server.hub.localClientCount == 3 {
            try sender.sendPublicChat("\(sent) \(filler)")
            sent += 1
            if sent % 8 == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(await waitUntil { await server.hub.localClientCount == 2 })
        #expect(server.server.statistics.snapshot.dropped[.slowConsumer, default: 0] >= 1)
        try sender.sendPublicChat("after the drop")
        #expect(await healthy.waitForPublicChat("after the drop", from: sender, timeout: .seconds(20)))
        #expect(healthy.received.filter { $0.contains(filler) }.count == sent)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a client that stops reading is disconnected once outbox_bytes wait for it, however few frames that is")
    func slowReaderBoundedInBytes() async throws {
        let server = try await TestServer.start {
            $0.limits.outboxBytes = 512 << 10
            $0.limits.messagesPerSecondPerClient = 100_000
            $0.limits.messageBurstPerClient = 100_000
            $0.limits.abuse.bytesPerSecondPerClient = 1e12
            $0.limits.abuse.byteBurstPerClient = 1e12
        }
        let healthy = try await TestClient.connected(to: server)
        let port = server.port
        // Two raw clients (no per-byte masking cost in a debug build's WebSocket client): one sends, one says
        // hello and then never reads, with a small receive buffer so its kernel does not absorb the flood.
        func hello(_ key: RSAPrivateKey) throws -> [UInt8] {
            Array(OlafMessage.signed(try SignedEnvelope.sign(.hello(HelloData(publicKey: key.publicKey)), counter: 1, with: key)).text.utf8)
        }
        let (senderKey, stalledKey) = (try TestKeys.user(), try TestKeys.user())
        let (senderHello, stalledHello) = (try hello(senderKey), try hello(stalledKey))
        let (sender, stalled) = try await onOwnThread { () throws -> (RawSocket, RawSocket) in
            let stalled = try RawSocket(port: port, receiveBuffer: 4096)
            #expect(stalled.upgradeToWebSocket(port: port))
            #expect(stalled.sendFrame(opcode: 0x1, payload: stalledHello))
            let sender = try RawSocket(port: port)
            #expect(sender.upgradeToWebSocket(port: port))
            #expect(sender.sendFrame(opcode: 0x1, payload: senderHello))
            return (sender, stalled)
        }
        #expect(await waitUntil { await server.hub.localClientCount == 3 })
        let filler = String(repeating: "z", count: 30_000)
        var sent = 0
        // Bounded: at most 300 frames of 30 KB (9 MB); 512 KiB plus the kernel's buffers must trip long before.
        while sent < 300, await server.hub.localClientCount == 3 {
            let frames = try (sent..<sent + 10).map { index in
                Array(OlafMessage.signed(try SignedEnvelope.sign(
                    .publicChat(PublicChatData(sender: senderKey.publicKey.fingerprint, message: "\(index) \(filler)")),
                    counter: UInt64(index + 2), with: senderKey)).text.utf8)
            }
            _ = try await onOwnThread { for frame in frames { sender.sendFrame(opcode: 0x1, payload: frame) } }
            sent += 10
            _ = await waitUntil(timeout: .seconds(10)) { server.server.statistics.snapshot.relayed >= sent }
        }
        #expect(await waitUntil { await server.hub.localClientCount == 2 })
        #expect(server.server.statistics.snapshot.dropped[.slowConsumer, default: 0] == 1)
        #expect(sent < 200, "dropped only after \(sent) frames of 30 KB")
        // The others got everything.
        #expect(await waitUntil { healthy.received.filter { $0.contains(filler) }.count == sent })
        _ = stalled
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a client we are closing that stops reading cannot hold its connection open")
    func closedClientThatStopsReading() async throws {
        let server = try await TestServer.start {
            $0.limits.outboxBytes = .max
            $0.limits.messagesPerSecondPerClient = 1
            $0.limits.messageBurstPerClient = 1_000
            $0.limits.abuse.bytesPerSecondPerClient = 1e12
            $0.limits.abuse.byteBurstPerClient = 1e12
        }
        let sender = try await TestClient.connected(to: server)
        // A raw client that says hello and then never reads a byte.
        let key = try TestKeys.user()
        let hello = OlafMessage.signed(
            try SignedEnvelope.sign(.hello(HelloData(publicKey: key.publicKey)), counter: 1, with: key)
        ).text
        // Over its message rate (burst 1,000): the server refuses it and closes the connection.
        let flood = try (2..<1_100).map { counter in
            OlafMessage.signed(
                try SignedEnvelope.sign(
                    .publicChat(PublicChatData(sender: key.publicKey.fingerprint, message: "flood")),
                    counter: UInt64(counter), with: key)
            ).text
        }
        let port = server.port
        let stalled = try await onOwnThread { () throws -> RawSocket in
            let socket = try RawSocket(port: port)
            #expect(socket.upgradeToWebSocket(port: port))
            #expect(socket.sendFrame(opcode: 0x1, payload: Array(hello.utf8)))
            return socket
        }
        #expect(await waitUntil { await server.hub.localClientCount == 2 })
        // 24 MB to a client that reads nothing: more than the socket buffers hold, so our close frame can never be
        // written. Bounded: 400 frames.
        let filler = String(repeating: "z", count: 60_000)
        for index in 0..<400 { try sender.sendPublicChat("\(index) \(filler)") }
        // 24 MB parsed and verified by a debug build on a loaded machine: seconds.
        #expect(await waitUntil(timeout: .seconds(30)) { server.server.statistics.snapshot.relayed == 400 })
        _ = try await onOwnThread {
            for frame in flood where !stalled.sendFrame(opcode: 0x1, payload: Array(frame.utf8)) { break }
        }
        #expect(await waitUntil { server.server.abuse.refusals[.messageRate] == 1 })
        #expect(await waitUntil(timeout: .seconds(20)) { await server.hub.localClientCount == 1 })
        #expect(server.server.statistics.snapshot.dropped[.slowConsumer] == nil)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("counters survive a server restart: an old counter is still a replay")
    func replayAfterRestart() async throws {
        let server = try await TestServer.start()
        let alice = await TestClient(url: server.url, key: try TestKeys.user(), firstCounter: 40)
        try alice.sendHello()
        try alice.sendPublicChat("before restart")  // counter 41
        #expect(await waitUntil { server.server.statistics.snapshot.relayed == 1 })
        let (port, key, state) = (server.port, server.key, server.stateDirectory)
        await server.stop()

        let restarted = try await TestServer.start(port: port, key: key, stateDirectory: state)
        let replay = await TestClient(url: restarted.url, key: alice.key, firstCounter: 41)
        try replay.sendHello()
        #expect(await replay.waitUntilClosed())
        #expect(replay.closeReason?.contains("41") == true)
        let fresh = await TestClient(url: restarted.url, key: alice.key, firstCounter: 42)
        try fresh.sendHello()
        #expect(await fresh.clientList { $0.fingerprints(at: restarted.address).contains(alice.fingerprint) } != nil)
        try await assertHealthy(restarted)
        await restarted.stop()
    }

    @Test("binary frames and garbage JSON are dropped without closing the client")
    func garbageIsDropped() async throws {
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 2 }
        for garbage in ["", "{", "[]", "null", "{\"type\": \"signed_data\"}", String(repeating: "[", count: 5000)] {
            alice.send(garbage)
        }
        try alice.sendPublicChat("still here")
        #expect(await bob.waitForPublicChat("still here", from: alice))
        #expect(!alice.hasEnded)
        #expect(server.server.statistics.snapshot.dropped[.malformed, default: 0] == 6)
        try await assertHealthy(server)
        await server.stop()
    }

    @Test("a client over its message rate is closed with 1008; others are unaffected")
    func rateLimit() async throws {
        let server = try await TestServer.start {
            $0.limits.messagesPerSecondPerClient = 5
            $0.limits.messageBurstPerClient = 10
        }
        let flooder = try await TestClient.connected(to: server)
        let calm = try await TestClient.connected(to: server)
        _ = await calm.clientList { $0.fingerprints(at: server.address).count == 2 }
        for index in 0..<30 { try flooder.sendPublicChat("flood \(index)") }
        #expect(await flooder.waitUntilClosed())
        #expect(flooder.closeCode == 1008)
        #expect(flooder.closeReason?.contains("rate") == true)
        let friend = try await TestClient.connected(to: server)
        _ = await friend.clientList()
        try friend.sendPublicChat("calm message")
        #expect(await calm.waitForPublicChat("calm message", from: friend))
        try await assertHealthy(server)
        await server.stop()
    }
}
