import Synchronization
import HummingbirdWebSocket
public import NIOCore
public import NIOWebSocket

/// The bounded queue of frames waiting to be written to one WebSocket peer.
///
/// Producers (the hub, fanning out) never wait: `send` either queues the frame or reports that the peer has
/// fallen `capacity` frames behind, in which case the caller disconnects it, so one slow reader never stalls
/// anyone else. The connection's writer task drains `frames`.
///
/// Frames are queued as the UTF-8 bytes of the text frame in a `ByteBuffer`: a fan-out encodes a frame once and
/// every outbox shares that one buffer (copy-on-write, never written), instead of each writer copying a String.
public final class Outbox: Sendable {
    /// Frames to write, in order; ends when the outbox is closed.
    public let frames: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let closeRequest = Mutex<CloseRequest?>(nil)
    private let forceClose: @Sendable () -> Void

    /// Why and how the connection is being closed by us.
    public struct CloseRequest: Sendable {
        public let code: WebSocketErrorCode
        public let reason: String
    }

    /// - Parameters:
    ///   - capacity: frames that may wait before the peer counts as too slow.
    ///   - forceClose: closes the underlying socket at once (no close handshake).
    public init(capacity: Int, forceClose: @escaping @Sendable () -> Void) {
        (frames, continuation) = AsyncStream.makeStream(
            of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(capacity))
        self.forceClose = forceClose
    }

    /// Queues `frame`; false when the queue is full or closed (the caller should `kill()` a full one).
    @discardableResult
    public func send(_ frame: String) -> Bool {
        send(ByteBuffer(string: frame))
    }

    /// Queues a text frame given as its UTF-8 bytes (shared, not copied, when the same buffer goes to many outboxes).
    @discardableResult
    public func send(_ frame: ByteBuffer) -> Bool {
        if case .enqueued = continuation.yield(frame) { return true }
        return false
    }

    /// Ends the stream after the queued frames; the writer then sends a close frame with `code` and `reason`.
    public func close(code: WebSocketErrorCode, reason: String) {
        closeRequest.withLock { request in
            if request == nil { request = CloseRequest(code: code, reason: reason) }
        }
        continuation.finish()
    }

    /// Drops queued frames and closes the socket immediately (for peers that stopped reading).
    public func kill() {
        closeRequest.withLock { request in
            if request == nil { request = CloseRequest(code: .policyViolation, reason: "too slow: not reading") }
        }
        continuation.finish()
        forceClose()
    }

    /// The close requested through `close` or `kill`, if any.
    public var requestedClose: CloseRequest? { closeRequest.withLock { $0 } }
}
