import OlafTestSupport
import Client
import Core
import Foundation
import Logging
import OlafCrypto
import Testing

/// Issue 15 item 4: keys cost an attacker nothing, so contacts a hostile server lists by the thousand must not pile
/// up in the store, in memory, or in unlock time.
@Suite("Contacts: bounded, forgetting keys nobody needs", .serialized, .timeLimit(.minutes(2)))
struct ContactPruningTests {
    static func fakeFingerprint(_ index: Int) -> String { "junk-\(index)" }

    @Test("kept: nicknames, senders, conversation participants; the rest goes when unseen for long or over the cap")
    func pruneKeepsWhatIsNeeded() async throws {
        let store = try ClientStore(path: EngineHarness.temporaryStorePath())
        let pem = try TestKeys.user().publicKey.canonicalPEM
        let now = Date()
        let day: TimeInterval = 24 * 3600
        // 100 contacts last seen 40 days ago, 50 seen today.
        try await store.recordSeen((0..<100).map { (Self.fakeFingerprint($0), pem, "a:1") }, at: now - 40 * day)
        try await store.recordSeen((100..<150).map { (Self.fakeFingerprint($0), pem, "a:1") }, at: now)
        // Three old ones are needed: a nickname, a message from them, a conversation with them.
        #expect(try await store.setNickname("Friend", for: Self.fakeFingerprint(1)))
        _ = try await store.insertMessage(
            conversation: "c:1", kind: .direct, participants: ["me", Self.fakeFingerprint(2)], direction: .incoming,
            sender: Self.fakeFingerprint(2), text: "hi", status: .verified, file: nil, at: now - 40 * day)
        _ = try await store.insertMessage(
            conversation: "c:2", kind: .direct, participants: ["me", Self.fakeFingerprint(3)], direction: .outgoing,
            sender: "me", text: "hello", status: .sent, file: nil, at: now - 40 * day)

        // Unseen for 30 days: the 97 old ones nobody needs go.
        let forgotten = try await store.pruneContacts(keeping: 1000, unseenFor: 30 * day, now: now)
        #expect(forgotten == 97)
        let left = Set(try await store.contactFingerprints())
        #expect(left.isSuperset(of: [Self.fakeFingerprint(1), Self.fakeFingerprint(2), Self.fakeFingerprint(3)]))
        #expect(left.count == 53)

        // Over the cap: the least recently seen of those nobody needs go first; needed ones stay even over it.
        try await store.recordSeen([(Self.fakeFingerprint(200), pem, "a:1")], at: now + 1)
        #expect(try await store.pruneContacts(keeping: 10, unseenFor: 30 * day, now: now + 2) == 44)
        let capped = Set(try await store.contactFingerprints())
        #expect(capped.count == 10)
        #expect(capped.contains(Self.fakeFingerprint(200)))
        #expect(capped.isSuperset(of: [Self.fakeFingerprint(1), Self.fakeFingerprint(2), Self.fakeFingerprint(3)]))
    }

    @Test("unlock prunes before parsing: 20,000 stored junk contacts come down to the cap")
    func unlockStaysFlat() async throws {
        let path = EngineHarness.temporaryStorePath()
        let store = try ClientStore(path: path)
        let pem = try TestKeys.user().publicKey.canonicalPEM
        try await store.recordSeen((0..<20_000).map { (Self.fakeFingerprint($0), pem, "a:1") }, at: Date())
        var configuration = EngineConfiguration(home: try ServerAddress(parsing: "127.0.0.1:9"))
        configuration.maxContacts = 500
        let started = ContinuousClock.now
        _ = try await ClientEngine.open(
            key: try TestKeys.user(), store: store, configuration: configuration, logger: Logger(label: "test"))
        print("unlock with 20,000 stored contacts and a cap of 500: \(ContinuousClock.now - started)")
        #expect(try await store.contactCount() == 500)
    }
}
