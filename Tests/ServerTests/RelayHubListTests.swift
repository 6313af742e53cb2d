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
            neighbours: [Neighbour(address: neighbourAddress, publicKey: try RSAPrivateKey.generate().publicKey)],
            counters: [:], statistics: RelayStatistics(), logger: Logger(label: "test"))
        let (alice, bob, remote) = (
            try RSAPrivateKey.generate(), try RSAPrivateKey.generate(), try RSAPrivateKey.generate()
        )
        let aliceOutbox = Outbox(capacity: 64, forceClose: {})
        try await hub.admit(
            connection: ConnectionID.make(), key: alice.publicKey, counter: 1, outbox: aliceOutbox, maxClients: 10)
        let bobConnection = ConnectionID.make()
        try await hub.admit(
            connection: bobConnection, key: bob.publicKey, counter: 1, outbox: Outbox(capacity: 64, forceClose: {}),
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

    /// Asks the hub for the list as `fingerprint` and decodes the answer queued in `outbox`.
    private static func listed(asking hub: RelayHub, as fingerprint: String, outbox: Outbox) async throws
        -> [String: [RSAPublicKey]]
    {
        await hub.answerClientListRequest(from: fingerprint)
        let batch = try #require(await outbox.nextBatch())
        #expect(batch.count == 1)
        let frame = try FrameDecoder.decode(Array(String(buffer: batch[0]).utf8), limits: ProtocolLimits())
        guard case .clientList(let list) = frame else {
            Issue.record("expected a client_list, got \(frame.typeName)")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: list.servers.map { ($0.address, $0.clients) })
    }
}
