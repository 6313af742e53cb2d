public import NIOCore
public import NIOWebSocket
import Synchronization

/// A connection whose messages are read by a task rather than on the event loop (a neighbour link, olaf-client's
/// home-server connection): the event loop hands text messages over in order; the bytes waiting for the task are
/// bounded, and a peer that outruns it is closed (1008) rather than buffered without end.
public final class WebSocketInbox: WebSocketPeer, Sendable {
    /// Where to send; also what closes the connection.
    public let outbox: ChannelOutbox
    /// The text messages, in order; finishes when the connection ends.
    public let messages: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let pendingBytes = Atomic<Int>(0)
    private let maxPendingBytes: Int
    private let onBinary: @Sendable () -> Void
    private let peerClose = Mutex<(code: WebSocketErrorCode?, reason: String)?>(nil)

    /// - Parameters:
    ///   - maxPendingBytes: bytes received and not yet taken by the task before the peer is closed.
    ///   - onBinary: called for each binary message (dropped: OLAF speaks text).
    public init(outbox: ChannelOutbox, maxPendingBytes: Int, onBinary: @escaping @Sendable () -> Void = {}) {
        self.outbox = outbox
        self.maxPendingBytes = maxPendingBytes
        self.onBinary = onBinary
        (messages, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
    }

    /// On the event loop: a message from the peer.
    public func received(_ message: WebSocketMessageBytes) {
        guard case .text(let bytes) = message else { return onBinary() }
        let pending = pendingBytes.wrappingAdd(bytes.readableBytes, ordering: .relaxed).newValue
        guard pending <= maxPendingBytes else {
            outbox.close(code: .policyViolation, reason: "messages arrive faster than they can be processed")
            continuation.finish()
            return
        }
        continuation.yield(bytes)
    }

    /// The task took `bytes` off the inbox.
    public func consumed(_ bytes: Int) { pendingBytes.wrappingSubtract(bytes, ordering: .relaxed) }

    public func receivedClose(code: WebSocketErrorCode?, reason: String) {
        peerClose.withLock { $0 = (code, reason) }
    }

    /// On the event loop: the connection ended.
    public func connectionEnded() { continuation.finish() }

    /// The close frame the peer sent, if it sent one.
    public var closeFromPeer: (code: WebSocketErrorCode?, reason: String)? { peerClose.withLock { $0 } }
}
