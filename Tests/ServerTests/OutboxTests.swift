import OlafTestSupport
import Core
import Logging
import NIOCore
import OlafCrypto
import Synchronization
import Testing
import NIOWebSocket
import Transport

@testable import Server

/// How the hub treats outboxes that are closing (the outbox itself is tested in TransportTests).
@Suite("Outboxes in a fan-out: closing peers")
struct OutboxTests {
    @Test("a frame fanned out to a client that is already closing does not count it as a slow reader")
    func closingClientIsNotSlow() async throws {
        let statistics = RelayStatistics()
        let hub = RelayHub(
            ownAddress: try ServerAddress(parsing: "127.0.0.1:1"), neighbours: [], counters: [:],
            statistics: statistics, logger: Logger(label: "test"))
        let (closing, sender) = (try TestKeys.user(), try TestKeys.user())
        let closingOutbox = RecordingOutbox()
        try await hub.admit(
            connection: ConnectionID.make(), key: closing.publicKey, counter: 1, outbox: closingOutbox,
            maxClients: 10)
        try await hub.admit(
            connection: ConnectionID.make(), key: sender.publicKey, counter: 1,
            outbox: RecordingOutbox(), maxClients: 10)
        closingOutbox.close(code: .policyViolation, reason: "message rate limit exceeded")
        try await hub.routePublicChat(frame: ByteBuffer(string: "{}"), counter: 2, from: sender.publicKey.fingerprint)
        #expect(statistics.snapshot.dropped[.slowConsumer] == nil)
        #expect(closingOutbox.kills == 0)
        #expect(closingOutbox.requestedClose?.reason == "message rate limit exceeded")
    }
}
