import OlafTestSupport
import Core
import Logging
import NIOCore
import OlafCrypto
import Testing

@testable import Server

/// The hub's `client_list`: encoded once per change and shared, never stale.
@Suite("Relay hub: client_list answers follow every change")
struct RelayHubListTests {
    @Test("an answer after a join, a leave and a neighbour's update lists exactly who is there")
    func answersFollowChanges() async throws {
        let neighbourAddress = try ServerAddress(parsing: "127.0.0.1:2")
        let hub = RelayHub(
            ownAddress: try ServerAddress(parsing: "127.0.0.1:1"),
            neighbours: [Neighbour(address: neighbourAddress, publicKey: try TestKeys.user().publicKey)],
            counters: [:], statistics: RelayStatistics(), logger: Logger(label: "test"))
        let (alice, bob, remote) = (
            try TestKeys.user(), try TestKeys.user(), try TestKeys.user()
        )
        let aliceOutbox = RecordingOutbox()
        try await hub.admit(
            connection: ConnectionID.make(), key: alice.publicKey, counter: 1, outbox: aliceOutbox, maxClients: 10)
        let bobConnection = ConnectionID.make()
        try await hub.admit(
            connection: bobConnection, key: bob.publicKey, counter: 1, outbox: RecordingOutbox(),
            maxClients: 10)

        let fingerprint = alice.publicKey.fingerprint
        #expect(
            try await Self.listed(asking: hub, as: fingerprint, outbox: aliceOutbox) == [
                "127.0.0.1:1": [alice.publicKey, bob.publicKey]
            ])
        // Asked twice without a change: the same answer (served from the encoded copy).
        #expect(
            try await Self.listed(asking: hub, as: fingerprint, outbox: aliceOutbox) == [
                "127.0.0.1:1": [alice.publicKey, bob.publicKey]
            ])
        await hub.remove(connection: bobConnection, fingerprint: bob.publicKey.fingerprint)
        #expect(
            try await Self.listed(asking: hub, as: fingerprint, outbox: aliceOutbox) == [
                "127.0.0.1:1": [alice.publicKey]
            ])
        await hub.updateNeighbourClients(neighbourAddress, keys: [remote.publicKey])
        #expect(
            try await Self.listed(asking: hub, as: fingerprint, outbox: aliceOutbox) == [
                "127.0.0.1:1": [alice.publicKey], "127.0.0.1:2": [remote.publicKey],
            ])
    }

    @Test("a client_list push over its budget queues nothing; within budget it reaches every client once")
    func pushWithinBudget() async throws {
        let hub = RelayHub(
            ownAddress: try ServerAddress(parsing: "127.0.0.1:1"), neighbours: [], counters: [:],
            statistics: RelayStatistics(), logger: Logger(label: "test"))
        let outboxes = [RecordingOutbox(), RecordingOutbox()]
        for outbox in outboxes {
            try await hub.admit(
                connection: ConnectionID.make(), key: try TestKeys.user().publicKey, counter: 1,
                outbox: outbox, maxClients: 10)
        }
        // Two clients, each key ~400 bytes of PEM: the push costs at least 2 × 2 × 400 bytes.
        #expect(await hub.pushClientList(budgetBytes: 1_000) == .overBudget)
        #expect(await hub.pushClientList(maxFrameBytes: 500) == .tooLarge)
        guard case .pushed(let bytes) = await hub.pushClientList(budgetBytes: 1 << 20) else {
            Issue.record("expected a push within a 1 MiB budget")
            return
        }
        for outbox in outboxes {
            let batch = outbox.takeFrames()
            // Exactly one frame: the refused pushes queued nothing.
            #expect(batch.count == 1)
            #expect((batch.first?.utf8.count ?? 0) * 2 == bytes)
        }
        #expect(await hub.pushClientList(budgetBytes: bytes) == .pushed(bytes: bytes))
        #expect(await hub.pushClientList(budgetBytes: bytes - 1) == .overBudget)
    }

    @Test("the list-push allowance starts with one second, refills to its window, and a full one pays for anything")
    func listPushAllowance() {
        let start = ContinuousClock.now
        var allowance = ListPushAllowance(bytesPerSecond: 1_000, window: .seconds(10), now: start)
        #expect(allowance.budget(now: start) == 1_000)
        allowance.spend(600, now: start)
        #expect(allowance.budget(now: start) == 400)
        #expect(allowance.budget(now: start + .seconds(2)) == 2_400)
        // A push that cost more than was left empties it; it does not go into debt.
        allowance.spend(1_000_000, now: start + .seconds(2))
        #expect(allowance.budget(now: start + .seconds(2)) == 0)
        #expect(allowance.budget(now: start + .seconds(5)) == 3_000)
        #expect(allowance.budget(now: start + .seconds(13)) == .max)
    }

    /// Asks the hub for the list as `fingerprint` and decodes the answer queued in `outbox`.
    private static func listed(asking hub: RelayHub, as fingerprint: String, outbox: RecordingOutbox) async throws
        -> [String: [RSAPublicKey]]
    {
        await hub.answerClientListRequest(from: fingerprint)
        let batch = outbox.takeFrames()
        #expect(batch.count == 1)
        let frame = try OlafMessageDecoder.decode(Array(try #require(batch.first).utf8), limits: ProtocolLimits())
        guard case .clientList(let list) = frame else {
            Issue.record("expected a client_list, got \(frame.typeName)")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: list.servers.map { ($0.address, $0.clients) })
    }
}
