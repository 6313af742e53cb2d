import OlafTestSupport
import Core
import Foundation
@testable import Server
import Testing

/// Issue 15 item 9: the shipped defaults (`ServerLimits()`, the values in packaging/olafd.toml) are ones a person
/// chatting never meets and an abuser does. Every other test server starts from `TestServer.testProfile`.
@Suite("Shipped defaults: careful rates", .serialized, .timeLimit(.minutes(2)))
struct ShippedDefaultsTests {
    let start = ContinuousClock.now

    @Test("the message rate: a person's bursts and a steady conversation pass, a flood does not")
    func messageRate() {
        let limits = ServerLimits()
        func bucket() -> TokenBucket {
            TokenBucket(rate: limits.messagesPerSecondPerClient, burst: limits.messageBurstPerClient, now: start)
        }
        // Pasting 40 lines at once, then one message a second for ten minutes.
        var person = bucket()
        #expect((0..<40).allSatisfy { _ in person.take(now: start) })
        #expect((1...600).allSatisfy { person.take(now: start + .seconds($0)) })
        // 100 messages at once.
        var burst = bucket()
        #expect(!(0..<100).allSatisfy { _ in burst.take(now: start) })
        // A steady 20 a second: refused within 20 seconds.
        var steady = bucket()
        #expect(!(0..<400).allSatisfy { steady.take(now: start + .milliseconds($0 * 50)) })
    }

    @Test("the byte rate: 64 KiB messages now and then pass; a megabyte a second does not")
    func byteRate() {
        let abuse = ServerLimits().abuse
        var person = TokenBucket(rate: abuse.bytesPerSecondPerClient, burst: abuse.byteBurstPerClient, now: start)
        #expect((0..<20).allSatisfy { person.take(65_536, now: start + .seconds($0)) })
        var flood = TokenBucket(rate: abuse.bytesPerSecondPerClient, burst: abuse.byteBurstPerClient, now: start)
        #expect(!(0..<10).allSatisfy { flood.take(1_048_576, now: start + .seconds($0)) })
    }

    @Test("hellos per address: a NAT'd office reconnecting passes, a hello flood does not")
    func helloRate() {
        let abuse = ServerLimits().abuse
        var office = TokenBucket(rate: abuse.hellosPerMinutePerAddress / 60, burst: abuse.helloBurstPerAddress, now: start)
        #expect((0..<15).allSatisfy { _ in office.take(now: start) })
        var flood = TokenBucket(rate: abuse.hellosPerMinutePerAddress / 60, burst: abuse.helloBurstPerAddress, now: start)
        #expect(!(0..<100).allSatisfy { flood.take(now: start + .milliseconds($0 * 100)) })
    }

    @Test("with the shipped defaults a flooding client is closed, a chatting one is not, and list requests coalesce")
    func defaultsOnAServer() async throws {
        let server = try await TestServer.start { $0.limits = ServerLimits() }
        let alice = try await TestClient.connected(to: server)
        let flooder = try await TestClient.connected(to: server)
        _ = await alice.clientList { $0.fingerprints(at: server.address).count == 2 }

        // 50 list requests at once: one answer now, one more after the interval (500 ms), not 50 lists.
        let before = alice.received.count
        func answers() -> Int { alice.received.dropFirst(before).filter { $0.contains("\"client_list\"") }.count }
        for _ in 0..<50 { alice.requestClientList() }
        // At most one answer at once (none if the list was answered less than 500 ms ago) and one owed answer
        // after the interval; then nothing more (before: 50 lists). A list push (the flooder connected just
        // before) or a late answer to the helper's own request may land in the window too.
        #expect(await waitUntil { answers() >= 1 })
        try await Task.sleep(for: .seconds(1.5))
        #expect((1...4).contains(answers()), "\(answers()) lists for 50 requests")

        for index in 0..<10 { try alice.sendPublicChat("hello \(index)") }
        #expect(await flooder.waitForPublicChat("hello 9", from: alice))
        for index in 0..<200 { try flooder.sendPublicChat("flood \(index)") }
        #expect(await flooder.waitUntilClosed())
        #expect(flooder.closeReason == "message rate limit exceeded")
        #expect(!alice.hasEnded)
        await server.stop()
    }

    @Test("a chat to many recipients counts as several messages: 32-key chats use up the shipped rate sooner")
    func manyKeyChatsCostMore() async throws {
        let server = try await TestServer.start { $0.limits = ServerLimits() }
        #expect(ServerLimits().protocolLimits.maxRecipients == 32)
        let small = try await TestClient.connected(to: server)
        let large = try await TestClient.connected(to: server)
        _ = await small.clientList { $0.fingerprints(at: server.address).count == 2 }
        func junk(keys: Int) throws -> ChatData {
            func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
            return try ChatData(
                destinationServers: [server.address.spelling], iv: random(16),
                symmKeys: (0..<keys).map { _ in random(256) }, ciphertext: random(48))
        }
        // Ten 2-key chats at once: well within the burst of 60.
        for _ in 0..<10 { try small.sendSigned(.chat(try junk(keys: 2))) }
        // Ten 32-key chats at once cost 80 messages: over the burst of 60, the client is closed.
        for _ in 0..<10 { try large.sendSigned(.chat(try junk(keys: 32))) }
        #expect(await large.waitUntilClosed())
        #expect(large.closeReason?.contains("counts as several messages") == true)
        try await Task.sleep(for: .milliseconds(300))
        #expect(!small.hasEnded)
        await server.stop()
    }
}
