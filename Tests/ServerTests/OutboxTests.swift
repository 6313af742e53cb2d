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

/// The writer-task outbox of our dialled neighbour link, and how the hub treats outboxes that are closing.
/// (Accepted connections' `ChannelOutbox` is tested in TransportTests.)
@Suite("WriterTaskOutbox: batches, kill, closing peers in a fan-out")
struct OutboxTests {
    @Test("kill drops the queue, closes the socket and reports a slow reader")
    func killDropsEverything() async throws {
        let closes = Atomic<Int>(0)
        let outbox = WriterTaskOutbox(capacity: 8, forceClose: { closes.add(1, ordering: .relaxed) })
        outbox.send("never written")
        outbox.kill()
        #expect(closes.load(ordering: .relaxed) == 1)
        #expect(await outbox.nextBatch() == nil)
        #expect(outbox.requestedClose?.reason == "too slow: not reading")
        #expect(outbox.send("late") == .closed)
    }

    @Test("a writer task gets every frame in order, in batches, until the outbox is closed")
    func writerTaskBatches() async throws {
        let outbox = WriterTaskOutbox(capacity: 100, forceClose: {})
        let received = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var received: [String] = []
                while let batch = await outbox.nextBatch() { received += batch.map { String(buffer: $0) } }
                return received
            }
            for index in 0..<50 {
                #expect(outbox.send("m\(index)") == .queued)
                if index % 7 == 0 { await Task.yield() }
            }
            outbox.close(code: .normalClosure, reason: "done")
            return try await group.next() ?? []
        }
        #expect(received == (0..<50).map { "m\($0)" })
    }

    @Test("a frame fanned out to a client that is already closing does not count it as a slow reader")
    func closingClientIsNotSlow() async throws {
        let statistics = RelayStatistics()
        let hub = RelayHub(
            ownAddress: try ServerAddress(parsing: "127.0.0.1:1"), neighbours: [], counters: [:],
            statistics: statistics, logger: Logger(label: "test"))
        let (closing, sender) = (try TestKeys.user(), try TestKeys.user())
        let forcedCloses = Atomic<Int>(0)
        let closingOutbox = WriterTaskOutbox(capacity: 8, forceClose: { forcedCloses.add(1, ordering: .relaxed) })
        try await hub.admit(
            connection: ConnectionID.make(), key: closing.publicKey, counter: 1, outbox: closingOutbox,
            maxClients: 10)
        try await hub.admit(
            connection: ConnectionID.make(), key: sender.publicKey, counter: 1,
            outbox: WriterTaskOutbox(capacity: 8, forceClose: {}), maxClients: 10)
        closingOutbox.close(code: .policyViolation, reason: "message rate limit exceeded")
        try await hub.routePublicChat(frame: ByteBuffer(string: "{}"), counter: 2, from: sender.publicKey.fingerprint)
        #expect(statistics.snapshot.dropped[.slowConsumer] == nil)
        #expect(forcedCloses.load(ordering: .relaxed) == 0)
        #expect(closingOutbox.requestedClose?.reason == "message rate limit exceeded")
    }
}
