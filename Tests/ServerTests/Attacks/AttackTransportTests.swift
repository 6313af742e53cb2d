import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

extension AttackSuite {
    /// Hostile bytes on the WebSocket and floods of connections (issue 7 attack suite). Already proven elsewhere,
    /// with the health check added: a 10 MiB frame (RobustnessTests.oversizedFrame), garbage JSON and 5,000 nested
    /// brackets (RobustnessTests.garbageIsDropped), a client that stops reading (RobustnessTests.slowReader), a
    /// message flood (RobustnessTests.rateLimit), a connection that never says hello (ClientRelayTests.helloTimeout).
    @Suite("Attack: hostile frames and connection floods", .timeLimit(.minutes(3)))
    struct AttackTransportTests {
        /// A raw WebSocket that said a genuine hello, so the server treats it as a client.
        private func rawClient(_ server: TestServer) async throws -> (RawSocket, TestClient) {
            let clientsBefore = await server.hub.localClientCount
            let identity = await TestClient(url: server.url, key: try TestKeys.user())
            identity.close()
            let socket = try await onOwnThread { try RawSocket(port: server.port) }
            let upgraded = try await onOwnThread { socket.upgradeToWebSocket(port: server.port) }
            try #require(upgraded)
            let hello = try SignedEnvelope.sign(
                .hello(HelloData(publicKey: identity.key.publicKey)), counter: 1, with: identity.key)
            _ = try await onOwnThread { socket.sendFrame(opcode: 1, payload: Array(OlafMessage.signed(hello).text.utf8)) }
            #expect(await waitUntil { await server.hub.localClientCount == clientsBefore + 1 })
            return (socket, identity)
        }

        @Test("a text frame with invalid UTF-8 never reaches anyone, and the server keeps serving")
        func invalidUTF8() async throws {
            let server = try await TestServer.start()
            let bob = try await TestClient.connected(to: server)
            _ = await bob.clientList()
            let (socket, _) = try await rawClient(server)
            let before = bob.received.count
            // Overlong encoding of '"', a lone surrogate, a truncated sequence, 0xFF.
            let payload: [UInt8] =
                Array(#"{"type": "client_list_request", "x": ""#.utf8) + [
                    0xC0, 0xA2, 0xED, 0xA0, 0x80, 0xE2, 0x82, 0xFF,
                ]
                + Array(#""}"#.utf8)
            _ = try await onOwnThread { socket.sendFrame(opcode: 1, payload: payload) }
            // Either the frame is dropped (the socket stays open) or the connection is closed (1007): both are
            // fine; what matters is that nothing leaks to others and the server serves on.
            try await assertHealthy(server)
            #expect(!bob.received.dropFirst(before).contains { $0.contains("client_list_request") })
            await server.stop()
        }

        @Test("binary frames, pings and fragmented frames from a client are harmless")
        func binaryAndControlFrames() async throws {
            let server = try await TestServer.start()
            let bob = try await TestClient.connected(to: server)
            _ = await bob.clientList()
            let (socket, identity) = try await rawClient(server)
            let chat = try SignedEnvelope.sign(
                .publicChat(PublicChatData(sender: identity.fingerprint, message: "in a binary frame")), counter: 2,
                with: identity.key)
            _ = try await onOwnThread {
                socket.sendFrame(opcode: 2, payload: Array(OlafMessage.signed(chat).text.utf8))  // binary: not the protocol
                socket.sendFrame(opcode: 2, payload: [UInt8](repeating: 0xFF, count: 100_000))
                socket.sendFrame(opcode: 9, payload: Array("ping".utf8))
                // A text message split in two fragments, then a genuine chat.
                let text = Array(
                    OlafMessage.signed(
                        try SignedEnvelope.sign(
                            .publicChat(PublicChatData(sender: identity.fingerprint, message: "fragmented")),
                            counter: 3,
                            with: identity.key)
                    ).text.utf8)
                socket.sendFrame(opcode: 1, payload: Array(text.prefix(50)), fin: false)
                socket.sendFrame(opcode: 0, payload: Array(text.dropFirst(50)))
            }
            #expect(await bob.waitForPublicChat("fragmented", from: identity))
            #expect(!bob.received.contains { $0.contains("in a binary frame") })
            try await assertHealthy(server)
            await server.stop()
        }

        @Test("deeply nested JSON and huge arrays within the frame limit are refused without harm")
        func deepJSONAndHugeArrays() async throws {
            let server = try await TestServer.start()
            let alice = try await TestClient.connected(to: server)
            let bob = try await TestClient.connected(to: server)
            _ = await bob.clientList { $0.fingerprints(at: server.address).count == 2 }
            let dropsBefore = server.server.statistics.snapshot.dropped.values.reduce(0, +)
            // 400,000 levels of nesting (800 KB, under the 1 MiB frame limit), as an array and inside an object.
            alice.send(String(repeating: "[", count: 400_000) + String(repeating: "]", count: 400_000))
            alice.send(#"{"type": "client_list_request", "x": "# + String(repeating: #"{"a": "#, count: 100_000))
            // Huge arrays, each still under the 1 MiB frame limit: 20,000 destination_servers and symm_keys in a signed
            // chat (so they reach validation), 50,000 keys in a client_update.
            let many = JSONValue.array(Array(repeating: .string("127.0.0.1:1"), count: 20_000))
            let data: JSONObject = [
                "type": "chat", "destination_servers": many, "iv": "AAAAAAAAAAAAAAAAAAAAAA==",
                "symm_keys": .array(Array(repeating: .string("AA=="), count: 20_000)), "chat": "AA==",
            ]
            try alice.sendSigned(dataString: JSONWriter.python(.object(data)))
            alice.send(
                JSONWriter.compact(
                    .object(["type": "client_update", "clients": .array(Array(repeating: .string("x"), count: 50_000))])
                ))
            alice.send(String(repeating: "1,", count: 400_000))
            try alice.sendPublicChat("after the bombs")
            #expect(await bob.waitForPublicChat("after the bombs", from: alice))
            #expect(!alice.hasEnded, "closed with \(String(describing: alice.closeCode)): \(alice.closeReason ?? "")")
            #expect(server.server.statistics.snapshot.dropped.values.reduce(0, +) >= dropsBefore + 5)
            #expect(!bob.received.contains { $0.contains("destination_servers") })
            try await assertHealthy(server)
            await server.stop()
        }

        @Test("500 connections opened and dropped without hello, and 50 half-open upgrades, leave no trace")
        func connectionFlood() async throws {
            let server = try await TestServer.start { $0.limits.helloTimeout = .seconds(5) }
            let port = server.port
            // Bounded: 500 plain TCP connects closed at once, 50 WebSocket upgrades that then go silent.
            try await onOwnThread {
                for _ in 0..<500 { _ = try? RawSocket(port: port) }
            }
            let silent = try await onOwnThread {
                try (0..<50).map { _ in
                    let socket = try RawSocket(port: port)
                    _ = socket.upgradeToWebSocket(port: port)
                    return socket
                }
            }
            try await assertHealthy(server)
            // The silent upgrades are closed by the hello timeout (1008), each one.
            let codes = try await onOwnThread { silent.map { $0.readUntilClose() } }
            #expect(codes.allSatisfy { $0 == 1008 }, "\(codes)")
            // Only the health check's two clients ever became clients: no flood connection is left in the hub.
            #expect(await server.hub.localClientCount == 2)
            try await assertHealthy(server)
            await server.stop()
        }

        @Test("a client that upgrades and then sends a slow, never-finished frame is cut off by the hello timeout")
        func slowLoris() async throws {
            // Not shorter: the health check's own clients must get their hello in on a loaded CI machine.
            let server = try await TestServer.start { $0.limits.helloTimeout = .seconds(5) }
            let socket = try await onOwnThread { try RawSocket(port: server.port) }
            #expect(try await onOwnThread { socket.upgradeToWebSocket(port: server.port) })
            // A header announcing 60,000 bytes, then a trickle.
            _ = try await onOwnThread { socket.send([0x81, 0x80 | 126, 0xEA, 0x60, 1, 2, 3, 4]) }
            for _ in 0..<5 {
                _ = try await onOwnThread { socket.send([0x20]) }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await onOwnThread { socket.peerCloses() }, "the server never closed the stalled connection")
            try await assertHealthy(server)
            await server.stop()
        }
    }
}
