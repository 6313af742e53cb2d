import OlafTestSupport
import Core
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import OlafCrypto
import Synchronization
import Testing

@testable import Server

/// The per-connection outbound queue: coalesced writes on the channel, the slow-reader bound, and closing.
@Suite("Outbox: coalesced writes, slow readers, closing")
struct OutboxTests {
    @Test("a burst queued while the event loop is busy is written in order with one flush")
    func coalescesABurst() async throws {
        let (channel, flushes) = try await Self.channel()
        let outbox = Outbox(capacity: 16, channel: channel)
        // Queued from a job on the loop itself, so the drain it schedules runs after the whole burst.
        let results = try await channel.testingEventLoop.executeInContext {
            (0..<5).map { outbox.send("frame \($0)") }
        }
        #expect(results.allSatisfy { $0 == .queued })
        await channel.testingEventLoop.run()
        #expect(try await Self.written(channel) == (0..<5).map { "frame \($0)" })
        #expect(flushes.count == 1)
        #expect(outbox.send("later") == .queued)
        await channel.testingEventLoop.run()
        #expect(try await Self.written(channel) == ["later"])
        #expect(flushes.count == 2)
    }

    @Test("while the socket is not writable frames wait; past capacity the peer is reported full; then they flow")
    func holdsFramesWhileNotWritable() async throws {
        let (channel, _) = try await Self.channel()
        let outbox = Outbox(capacity: 3, channel: channel)
        channel.isWritable = false
        for index in 0..<3 { #expect(outbox.send("held \(index)") == .queued) }
        await channel.testingEventLoop.run()
        #expect(try await Self.written(channel).isEmpty)
        #expect(outbox.send("one too many") == .full)
        channel.isWritable = true
        await channel.testingEventLoop.advanceTime(by: .milliseconds(10))
        #expect(try await Self.written(channel) == ["held 0", "held 1", "held 2"])
        #expect(outbox.send("after") == .queued)
    }

    @Test("closing writes what is queued, refuses new frames as closed (not full), and keeps the reason")
    func closeDrainsThenRefuses() async throws {
        let (channel, _) = try await Self.channel()
        let outbox = Outbox(capacity: 8, channel: channel)
        channel.isWritable = false
        outbox.send("queued before close")
        outbox.close(code: .policyViolation, reason: "message rate limit exceeded")
        #expect(outbox.send("after close") == .closed)
        async let closed: Void = outbox.waitUntilClosed()
        await channel.testingEventLoop.run()
        await closed
        #expect(try await Self.written(channel) == ["queued before close"])
        #expect(outbox.requestedClose?.reason == "message rate limit exceeded")
    }

    @Test("kill drops the queue, closes the socket and reports a slow reader")
    func killDropsEverything() async throws {
        let closes = Atomic<Int>(0)
        let outbox = Outbox(capacity: 8, forceClose: { closes.add(1, ordering: .relaxed) })
        outbox.send("never written")
        outbox.kill()
        #expect(closes.load(ordering: .relaxed) == 1)
        #expect(await outbox.nextBatch() == nil)
        #expect(outbox.requestedClose?.reason == "too slow: not reading")
        #expect(outbox.send("late") == .closed)
    }

    @Test("a writer task gets every frame in order, in batches, until the outbox is closed")
    func writerTaskBatches() async throws {
        let outbox = Outbox(capacity: 100, forceClose: {})
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
        let closingOutbox = Outbox(capacity: 8, forceClose: { forcedCloses.add(1, ordering: .relaxed) })
        try await hub.admit(
            connection: ConnectionID.make(), key: closing.publicKey, counter: 1, outbox: closingOutbox,
            maxClients: 10)
        try await hub.admit(
            connection: ConnectionID.make(), key: sender.publicKey, counter: 1,
            outbox: Outbox(capacity: 8, forceClose: {}), maxClients: 10)
        closingOutbox.close(code: .policyViolation, reason: "message rate limit exceeded")
        try await hub.routePublicChat(frame: ByteBuffer(string: "{}"), counter: 2, from: sender.publicKey.fingerprint)
        #expect(statistics.snapshot.dropped[.slowConsumer] == nil)
        #expect(forcedCloses.load(ordering: .relaxed) == 0)
        #expect(closingOutbox.requestedClose?.reason == "message rate limit exceeded")
    }

    // MARK: Helpers

    /// A testing channel with a handler that counts flushes.
    @Test("bytes count from queueing until the socket took them: past byte_capacity the peer is full, then it flows")
    func boundedInBytes() async throws {
        let (channel, _) = try await Self.channel()
        let held = HeldWrites()
        try await channel.pipeline.addHandler(held, position: .first)
        let outbox = Outbox(capacity: 1_000, byteCapacity: 100, channel: channel)
        let sixty = String(repeating: "a", count: 60)
        #expect(outbox.send(sixty) == .queued)
        await channel.testingEventLoop.run()
        // Written to the channel, but the socket has not taken it (its write has not completed): still counted.
        #expect(held.count == 1)
        #expect(outbox.unsentBytes == 60)
        #expect(outbox.send(String(repeating: "b", count: 50)) == .full)
        #expect(outbox.send(String(repeating: "c", count: 40)) == .queued)
        #expect(outbox.unsentBytes == 100)
        #expect(outbox.send("d") == .full)
        await channel.testingEventLoop.run()
        try await channel.testingEventLoop.executeInContext { held.completeAll() }
        await channel.testingEventLoop.run()
        #expect(outbox.unsentBytes == 0)
        #expect(outbox.send(String(repeating: "e", count: 90)) == .queued)
    }

    @Test("an empty outbox takes one frame larger than its byte bound; a second one waits for it")
    func oneLargeFrameAlwaysFits() async throws {
        let (channel, _) = try await Self.channel()
        let outbox = Outbox(capacity: 1_000, byteCapacity: 10, channel: channel)
        channel.isWritable = false
        #expect(outbox.send(String(repeating: "x", count: 500)) == .queued)
        #expect(outbox.send("y") == .full)
        channel.isWritable = true
        await channel.testingEventLoop.advanceTime(by: .milliseconds(10))
        #expect(try await Self.written(channel).count == 1)
        #expect(outbox.unsentBytes == 0)
        #expect(outbox.send("y") == .queued)
    }

    private static func channel() async throws -> (NIOAsyncTestingChannel, FlushCounter) {
        let flushes = FlushCounter()
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandler(flushes)
        return (channel, flushes)
    }

    /// The text of every frame written to `channel` so far.
    private static func written(_ channel: NIOAsyncTestingChannel) async throws -> [String] {
        var texts: [String] = []
        while let frame = try await channel.readOutbound(as: WebSocketFrame.self) {
            texts.append(String(buffer: frame.unmaskedData))
        }
        return texts
    }
}

/// Counts `flush` calls passing through the pipeline.
private final class FlushCounter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = WebSocketFrame
    private let flushes = Atomic<Int>(0)

    var count: Int { flushes.load(ordering: .relaxed) }

    func flush(context: ChannelHandlerContext) {
        flushes.add(1, ordering: .relaxed)
        context.flush()
    }
}

/// Holds every write's promise (as a socket that has not taken the bytes yet) until `completeAll()`; the frames
/// themselves go on down the pipeline. Used on the channel's event loop only.
private final class HeldWrites: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    private let promises = Mutex<[EventLoopPromise<Void>]>([])

    var count: Int { promises.withLock { $0.count } }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let promise { promises.withLock { $0.append(promise) } }
        context.write(data, promise: nil)
    }

    func completeAll() {
        for promise in promises.withLock({ held in defer { held = [] }; return held }) { promise.succeed() }
    }
}
