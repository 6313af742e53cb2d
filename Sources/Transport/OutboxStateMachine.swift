public import NIOCore
public import NIOWebSocket

/// The rules of one peer's outbound queue, without I/O: which frames wait, when they are written, when the peer
/// counts as too slow, and how the connection is closed. Every transition returns what its caller must do
/// (`ChannelOutbox` does it on the connection's event loop).
///
/// - Frames wait here only while the socket is not writable, or until the flush that the first of a burst
///   scheduled: a burst queued within one event-loop tick goes out as one batch with one flush.
/// - A peer is too slow when the bytes not yet taken by its socket — queued here, or written to the channel and
///   not yet completed (NIO's own buffer) — would pass `byteCapacity`. An empty outbox takes one frame of any
///   size, so a frame larger than the bound still reaches a peer that reads.
/// - A close writes whatever is queued, then the close frame; nothing is accepted after it.
public struct OutboxStateMachine: Sendable {
    /// Where the connection is in its life.
    public enum State: Sendable, Equatable {
        /// Frames are accepted.
        case open
        /// A close was requested and is waiting for the event loop to write it (after the queued frames).
        case closeRequested(CloseRequest)
        /// Our close frame is written; we wait for the peer's answer (or the close deadline).
        case closeWritten(CloseRequest)
        /// The socket is gone (closed by either side, or killed as too slow).
        case ended
    }

    /// What `enqueue` decided.
    public enum EnqueueAction: Sendable, Equatable {
        /// Queued; the caller must schedule a flush on the event loop.
        case queuedScheduleFlush
        /// Queued; a flush is already scheduled, or the socket is not writable (writability brings it).
        case queued
        /// The peer is too far behind: the caller should kill the connection. The frame was not queued.
        case full
        /// The connection is closing or closed; the frame was dropped.
        case closed
    }

    /// What to write now (on the event loop).
    public enum FlushAction: Sendable, Equatable {
        case none
        /// Write these frames (`bytes` in all) and flush once.
        case write([ByteBuffer], bytes: Int)
    }

    /// What a close request needs.
    public enum CloseAction: Sendable, Equatable {
        /// Nothing: the connection is already closing or gone.
        case none
        /// Schedule `writeClose` on the event loop.
        case scheduleClose
    }

    /// What the event loop writes for a requested close.
    public enum CloseWrite: Sendable, Equatable {
        case none
        /// Write these frames (`bytes` in all), then a close frame with `request`, flush, and start the close
        /// deadline.
        case write([ByteBuffer], bytes: Int, then: CloseRequest)
    }

    /// What the peer's close frame needs.
    public enum PeerCloseAction: Sendable, Equatable {
        /// Our close was already written: the handshake is complete, close the socket.
        case closeSocket
        /// Answer with a close frame (echoing `code`), then close the socket. Queued frames are dropped.
        case answerThenCloseSocket(CloseRequest)
        /// Already ended: nothing to do.
        case none
    }

    public private(set) var state: State = .open
    private var queue: [ByteBuffer] = []
    private var queuedBytes = 0
    /// Bytes written to the channel whose writes have not completed yet.
    private var inFlightBytes = 0
    private var flushScheduled = false
    private var writable = true
    private let byteCapacity: Int

    /// - Parameter byteCapacity: bytes that may wait for the peer (queued, or written and not yet taken by its
    ///   socket) before it counts as too slow.
    public init(byteCapacity: Int) {
        self.byteCapacity = byteCapacity
    }

    /// Bytes not yet taken by the peer's socket.
    public var unsentBytes: Int { queuedBytes + inFlightBytes }

    /// Frames waiting to be written.
    public var queuedFrames: Int { queue.count }

    /// The close we requested, if any.
    public var closeRequest: CloseRequest? {
        switch state {
        case .closeRequested(let request), .closeWritten(let request): request
        case .open, .ended: nil
        }
    }

    // MARK: Any thread (under the owner's lock)

    /// Queues a frame, or reports why not.
    public mutating func enqueue(_ frame: ByteBuffer) -> EnqueueAction {
        guard case .open = state else { return .closed }
        let pending = unsentBytes
        if pending > 0, pending + frame.readableBytes > byteCapacity { return .full }
        queue.append(frame)
        queuedBytes += frame.readableBytes
        guard writable, !flushScheduled else { return .queued }
        flushScheduled = true
        return .queuedScheduleFlush
    }

    /// Requests a close: queued frames are still written, then the close frame. The first request wins.
    public mutating func requestClose(_ request: CloseRequest) -> CloseAction {
        guard case .open = state else { return .none }
        state = .closeRequested(request)
        return .scheduleClose
    }

    /// The peer is too slow (or must go at once): drops the queue; the caller closes the socket without a
    /// handshake. Returns false when the connection had already ended.
    public mutating func kill() -> Bool {
        guard state != .ended else { return false }
        endConnection()
        return true
    }

    // MARK: Event loop

    /// The scheduled flush runs: everything queued, unless the socket is not writable.
    public mutating func flush() -> FlushAction {
        flushScheduled = false
        guard writable, case .open = state else { return .none }
        return takeQueue()
    }

    /// The channel's writability changed; when it is writable again, whatever waited goes out.
    public mutating func writabilityChanged(isWritable: Bool) -> FlushAction {
        writable = isWritable
        guard isWritable, !flushScheduled, case .open = state else { return .none }
        return takeQueue()
    }

    /// Writes of `bytes` completed (the socket took them, or the channel failed them when it closed).
    public mutating func writesCompleted(bytes: Int) {
        inFlightBytes -= bytes
    }

    /// The event loop writes a requested close: the queued frames (writable or not: the queue is bounded), then
    /// the close frame.
    public mutating func writeClose() -> CloseWrite {
        guard case .closeRequested(let request) = state else { return .none }
        state = .closeWritten(request)
        flushScheduled = false
        guard case .write(let frames, let bytes) = takeQueue() else {
            return .write([], bytes: 0, then: request)
        }
        return .write(frames, bytes: bytes, then: request)
    }

    /// The peer sent a close frame with `code` (nil: none given).
    public mutating func peerClosed(code: WebSocketErrorCode?) -> PeerCloseAction {
        switch state {
        case .open, .closeRequested:
            endConnection()
            // RFC 6455 5.5.1: the answer echoes the code it received; a close without a code gets 1000.
            return .answerThenCloseSocket(CloseRequest(code: code ?? .normalClosure, reason: ""))
        case .closeWritten:
            endConnection()
            return .closeSocket
        case .ended:
            return .none
        }
    }

    /// The socket closed (either side, any reason).
    public mutating func connectionEnded() {
        endConnection()
    }

    private mutating func takeQueue() -> FlushAction {
        guard !queue.isEmpty else { return .none }
        var frames: [ByteBuffer] = []
        swap(&frames, &queue)
        let bytes = queuedBytes
        inFlightBytes += bytes
        queuedBytes = 0
        return .write(frames, bytes: bytes)
    }

    private mutating func endConnection() {
        state = .ended
        queue.removeAll()
        queuedBytes = 0
    }
}
