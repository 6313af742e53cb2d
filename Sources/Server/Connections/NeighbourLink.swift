import NIOCore
import Synchronization
import NIOWebSocket
import Transport

/// A connection with a neighbour (its link to us, or ours to it), between the connection's event loop and the
/// task that runs the link (`NeighbourInboundSession`, `NeighbourDialer`): messages are handed over in order; the
/// bytes waiting for that task are bounded, and a neighbour that outruns it is closed (1008) rather than
/// buffered without end.
final class NeighbourLink: WebSocketPeer, Sendable {
    let outbox: ChannelOutbox
    /// The link's text messages, in order; finishes when the connection ends.
    let messages: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let pendingBytes = Atomic<Int>(0)
    private let maxPendingBytes: Int
    private let statistics: RelayStatistics

    init(outbox: ChannelOutbox, maxPendingBytes: Int, statistics: RelayStatistics) {
        self.outbox = outbox
        self.maxPendingBytes = maxPendingBytes
        self.statistics = statistics
        (messages, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
    }

    /// On the event loop: a message from the neighbour.
    func received(_ message: WebSocketMessageBytes) {
        guard case .text(let bytes) = message else {
            statistics.dropped(.malformed)
            return
        }
        let pending = pendingBytes.wrappingAdd(bytes.readableBytes, ordering: .relaxed).newValue
        guard pending <= maxPendingBytes else {
            outbox.close(code: .policyViolation, reason: "neighbour sends faster than this server can process")
            continuation.finish()
            return
        }
        continuation.yield(bytes)
    }

    /// The session took `bytes` off the link.
    func consumed(_ bytes: Int) { pendingBytes.wrappingSubtract(bytes, ordering: .relaxed) }

    /// On the event loop: the connection ended.
    func connectionEnded() { continuation.finish() }
}
