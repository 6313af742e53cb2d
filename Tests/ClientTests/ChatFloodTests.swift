import OlafTestSupport
import Client
import Core
import Foundation
import OlafCrypto
import Testing

/// Issue 15 item 5: a flood of many-key junk chats (each can cost one RSA private-key operation per `symm_keys`
/// entry) must not keep the client busy: opening chats has a budget, and the UI stays responsive.
@Suite("Chat flood: the opening budget keeps the UI responsive", .serialized, .timeLimit(.minutes(2)))
struct ChatFloodTests {
    /// A chat to `server` with `keys` junk `symm_keys` entries: nobody can open it, every entry must be tried.
    static func junkChat(to server: ServerAddress, keys: Int, counter: UInt64, signer: RSAPrivateKey) throws -> String {
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
        let chat = try ChatData(
            destinationServers: [server.canonical], iv: random(16), symmKeys: (0..<keys).map { _ in random(256) },
            ciphertext: random(48))
        return OlafMessage.signed(try SignedEnvelope.sign(.chat(chat), counter: counter, with: signer)).text
    }

    @Test("a flood of 32-key junk chats: the client opens what its budget allows, drops the rest, and sends promptly")
    func floodOfManyKeyChats() async throws {
        let home = try await InteropHomeServer.start()
        let ui = try await UIHarness.start(home: home.address) { $0.chatOpeningOperationsPerSecond = 64 }
        #expect(try await ui.post("/api/create", json: #"{"passphrase":"a good long passphrase"}"#).status == 200)
        let engine = try #require(await ui.session.engine)
        #expect(await waitUntil { await engine.snapshot().connection.state == .online })

        // 300 chats × 32 entries = 9,600 private-key operations if every one were tried; the budget is 64 a second
        // (burst 128) for many-key chats.
        let attacker = try TestKeys.user()
        let junk = try (1...300).map { try Self.junkChat(to: home.address, keys: 32, counter: UInt64($0), signer: attacker) }
        var latencies: [Duration] = []
        for (index, frame) in junk.enumerated() {
            await home.hub.broadcast(frame)
            if index % 30 == 29 {
                let started = ContinuousClock.now
                let sent = try await ui.post("/api/send", json: #"{"kind":"public","text":"still here \#(index)"}"#)
                latencies.append(ContinuousClock.now - started)
                #expect(sent.status == 200, "\(sent.text)")
            }
        }
        #expect(await waitUntil { await engine.snapshot().drops[.overBudget, default: 0] > 0 })
        let snapshot = await engine.snapshot()
        let tried = snapshot.drops[.notForUs, default: 0]
        let skipped = snapshot.drops[.overBudget, default: 0]
        // What the budget allows in the flood's few seconds: the burst (4 chats) and ~2 chats a second.
        #expect(tried < 60, "\(tried) junk chats were opened, \(skipped) skipped")
        let slowest = latencies.max() ?? .zero
        print("chat flood: \(tried) opened, \(skipped) skipped; slowest of \(latencies.count) sends: \(slowest)")
        // Generous: a send costs one signature and a store write; during the flood it must not wait for junk.
        #expect(slowest < .seconds(2), "slowest send during the flood: \(slowest)")
        await ui.stop()
        await home.stop()
    }

    @Test("the budget: small chats have their own, so a many-key flood cannot starve direct chats")
    func budgetKeepsSmallChats() {
        let start = ContinuousClock.now
        var budget = ChatOpeningBudget(operationsPerSecond: 10, burst: 20, now: start)
        let first = budget.spend(keys: 16, now: start)
        let second = budget.spend(keys: 16, now: start)
        #expect(first && !second)
        // The many-key budget is spent; direct chats (2 keys) still have 10 chats' worth of their own.
        var direct: [Bool] = []
        for _ in 0..<11 { direct.append(budget.spend(keys: 2, now: start)) }
        #expect(direct == Array(repeating: true, count: 10) + [false])
        let later = budget.spend(keys: 16, now: start + .milliseconds(1700))
        #expect(later)
    }
}
