import Synchronization
import HummingbirdWebSocket
public import NIOCore
public import NIOWebSocket

/// The bounded queue of frames waiting to be written to one WebSocket peer.
///
/// Producers (the hub, fanning out) never wait: `send` either queues the frame or reports that the peer has
/// fallen too far behind — `capacity` frames, or `byteCapacity` bytes not yet taken by its socket — in which case
/// the caller disconnects it, so one slow reader never stalls anyone else nor pins more than `byteCapacity` of
/// memory (frames can be a MiB each: a frame count alone let one silent reader hold gigabytes).
///
/// Frames are queued as the UTF-8 bytes of the text frame in a `ByteBuffer`: a fan-out encodes a frame once and
/// every outbox shares that one buffer (copy-on-write, never written), instead of each writer copying a String.
///
/// Two ways to drain it:
/// - **On the channel** (`init(capacity:channel:)`, every accepted connection): the first frame queued schedules
///   one job on the connection's event loop, which writes every frame queued by then and flushes once — one
///   `writev` for a burst instead of one per frame. While the socket is not writable (the kernel and NIO's own
///   buffer are full) frames stay here; only those count towards `capacity`. Bytes count towards `byteCapacity`
///   from the moment they are queued until the socket took them (written to the kernel), NIO's own buffer
///   included.
/// - **By a writer task** (`init(capacity:forceClose:)`, our dialled neighbour link, whose WebSocket client gives
///   no channel): `nextBatch()` hands the writer everything queued so far.
public final class Outbox: Sendable {
    /// Why and how the connection is being closed by us.
    public struct CloseRequest: Sendable {
        public let code: WebSocketErrorCode
        public let reason: String

        static let tooSlow = CloseRequest(code: .policyViolation, reason: "too slow: not reading")
    }

    private struct State {
        var queue: [ByteBuffer] = []
        /// Bytes of the frames in `queue`.
        var queuedBytes = 0
        /// Channel mode: bytes handed to the channel whose writes have not completed yet.
        var inFlightBytes = 0
        var closeRequest: CloseRequest?
        /// No frame is accepted any more (closed or killed).
        var finished = false
        /// `kill()` was called: the socket is gone, no close handshake.
        var killed = false
        /// Channel mode: a drain job is queued on the event loop.
        var drainScheduled = false
        /// Channel mode: the socket was not writable; a drain runs once the last write completes.
        var awaitingWritability = false
        /// Channel mode: the future of the last frame written (it completes once the socket took it).
        var lastWrite: EventLoopFuture<Void>?
        /// The one task waiting on this outbox: the writer for its next batch, or (channel mode) the closer.
        var waiter: CheckedContinuation<Void, Never>?
        var waiterCancelled = false

        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let capacity: Int
    private let byteCapacity: Int
    private let channel: (any Channel)?
    private let forceClose: @Sendable () -> Void
    private let state = Mutex(State())

    /// An outbox drained on `channel`'s event loop (coalesced writes, one flush per burst).
    /// - Parameters:
    ///   - capacity: frames that may wait while the socket is not writable before the peer counts as slow.
    ///   - byteCapacity: bytes that may wait (queued or in NIO's buffer) before the peer counts as slow; a frame
    ///     is always accepted into an empty outbox, whatever its size.
    public init(capacity: Int, byteCapacity: Int = .max, channel: any Channel) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        self.channel = channel
        self.forceClose = { channel.close(promise: nil) }
    }

    /// An outbox drained by a writer task through `nextBatch()`.
    /// - Parameters:
    ///   - capacity: frames that may wait before the peer counts as too slow.
    ///   - byteCapacity: bytes that may wait before the peer counts as too slow (an empty outbox takes any frame).
    ///   - forceClose: closes the underlying socket at once (no close handshake).
    public init(capacity: Int, byteCapacity: Int = .max, forceClose: @escaping @Sendable () -> Void) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        self.channel = nil
        self.forceClose = forceClose
    }

    /// Whether a writer task must drain this outbox (`nextBatch()`); false when it drains itself on the channel.
    var needsWriterTask: Bool { channel == nil }

    // MARK: Producers

    /// What became of a frame handed to `send`.
    public enum SendResult: Sendable {
        case queued
        /// The peer is `capacity` frames or `byteCapacity` bytes behind: the caller should `kill()` it.
        case full
        /// The outbox is closing or closed; the frame was dropped (nothing to do).
        case closed
    }

    /// Queues a text frame.
    @discardableResult
    public func send(_ frame: String) -> SendResult {
        send(ByteBuffer(string: frame))
    }

    /// Queues a text frame given as its UTF-8 bytes (shared, not copied, when the same buffer goes to many outboxes).
    @discardableResult
    public func send(_ frame: ByteBuffer) -> SendResult {
        let (result, wake, scheduleDrain) = state.withLock {
            state -> (SendResult, CheckedContinuation<Void, Never>?, Bool) in
            if state.finished { return (.closed, nil, false) }
            if state.queue.count >= capacity { return (.full, nil, false) }
            let pending = state.queuedBytes + state.inFlightBytes
            if pending > 0, frame.readableBytes > byteCapacity - pending { return (.full, nil, false) }
            state.queue.append(frame)
            state.queuedBytes += frame.readableBytes
            // A writer task waits for frames; in channel mode the one waiter is the closer, which frames don't concern.
            guard channel != nil else { return (.queued, state.takeWaiter(), false) }
            guard !state.drainScheduled, !state.awaitingWritability else { return (.queued, nil, false) }
            state.drainScheduled = true
            return (.queued, nil, true)
        }
        wake?.resume()
        if scheduleDrain, let channel { channel.eventLoop.execute { self.drain(on: channel, evenIfBlocked: false) } }
        return result
    }

    /// How long a connection we asked to close may take to do so (write what is queued, our close frame, the
    /// peer's answer) before its socket is dropped: a peer that stops reading cannot hold it open.
    /// The longest close reason a close frame carries (RFC 6455: 125 payload bytes, two of them the code).
    static let maxCloseReasonBytes = 123

    static func fittingCloseFrame(_ reason: String) -> String {
        guard reason.utf8.count > maxCloseReasonBytes else { return reason }
        var cut = ""
        for character in reason {
            if cut.utf8.count + character.utf8.count > maxCloseReasonBytes { break }
            cut.append(character)
        }
        return cut
    }

    static let closeDeadline: TimeAmount = .seconds(10)

    /// Stops accepting frames; the frames already queued are still written, then a close frame with `code` and
    /// `reason` (sent by the connection's pump). On a channel the socket is dropped if it is still open after
    /// `closeDeadline`. A reason longer than a close frame can carry (123 bytes) is cut at a character boundary.
    public func close(code: WebSocketErrorCode, reason: String) {
        let reason = Self.fittingCloseFrame(reason)
        let (waiter, firstClose) = state.withLock { state in
            let firstClose = !state.finished
            if state.closeRequest == nil { state.closeRequest = CloseRequest(code: code, reason: reason) }
            state.finished = true
            return (state.takeWaiter(), firstClose)
        }
        waiter?.resume()
        if firstClose, let channel {
            channel.eventLoop.scheduleTask(in: Self.closeDeadline) { channel.close(promise: nil) }
        }
    }

    /// Drops queued frames and closes the socket immediately (for peers that stopped reading).
    public func kill() {
        let waiter = state.withLock { state in
            if state.closeRequest == nil { state.closeRequest = .tooSlow }
            state.finished = true
            state.killed = true
            state.queue.removeAll()
            state.queuedBytes = 0
            return state.takeWaiter()
        }
        waiter?.resume()
        forceClose()
    }

    /// Bytes queued or handed to the channel and not yet taken by the socket (what counts towards `byteCapacity`).
    public var unsentBytes: Int { state.withLock { $0.queuedBytes + $0.inFlightBytes } }

    /// The close requested through `close` or `kill`, if any.
    public var requestedClose: CloseRequest? { state.withLock { $0.closeRequest } }

    /// The close frame still owed to the peer: the one requested through `close` (nil if none, or after `kill`).
    var owedClose: CloseRequest? { state.withLock { $0.killed ? nil : $0.closeRequest } }

    /// Drops the socket without a close handshake (the peer did not answer ours in time).
    func dropConnection() { forceClose() }

    // MARK: Channel mode

    /// Runs on the event loop: writes every queued frame and flushes once. While the socket is not writable it
    /// waits for the last write to complete instead (unless `evenIfBlocked`, for the final drain before a close).
    private func drain(on channel: any Channel, evenIfBlocked: Bool) {
        channel.eventLoop.preconditionInEventLoop()
        let writable = channel.isWritable
        let (batch, waitFor) = state.withLock { state -> ([ByteBuffer], EventLoopFuture<Void>?) in
            state.drainScheduled = false
            guard writable || evenIfBlocked else {
                state.awaitingWritability = true
                // Wait on a given write once only: if the socket is still full when it completed, poll instead.
                defer { state.lastWrite = nil }
                return ([], state.lastWrite)
            }
            state.awaitingWritability = false
            var batch: [ByteBuffer] = []
            swap(&batch, &state.queue)
            state.inFlightBytes += state.queuedBytes
            state.queuedBytes = 0
            return (batch, nil)
        }
        if !writable && !evenIfBlocked {
            // Resume once the socket took our last frame; if it never wrote one (someone else filled it), poll.
            if let waitFor {
                waitFor.whenComplete { _ in self.drain(on: channel, evenIfBlocked: false) }
            } else {
                channel.eventLoop.scheduleTask(in: .milliseconds(5)) { self.drain(on: channel, evenIfBlocked: false) }
            }
            return
        }
        guard !batch.isEmpty else { return }
        var last: EventLoopFuture<Void>?
        var batchBytes = 0
        for frame in batch {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: promise)
            last = promise.futureResult
            batchBytes += frame.readableBytes
        }
        channel.flush()
        state.withLock { $0.lastWrite = last }
        // Writes complete in order: once the batch's last one did, the socket took all of it (or the channel
        // closed and failed them all).
        last?.whenComplete { [batchBytes] _ in self.state.withLock { $0.inFlightBytes -= batchBytes } }
    }

    /// Writes whatever is still queued (writable or not: the queue is bounded) and flushes; returns once the
    /// frames are handed to the channel, so a close frame written afterwards follows them.
    private func drainForClose(on channel: any Channel) async {
        try? await channel.eventLoop.submit { self.drain(on: channel, evenIfBlocked: true) }.get()
    }

    // MARK: Waiting

    /// Writer-task mode: the next frames to write, in order; nil once the outbox is closed and empty (or the
    /// calling task is cancelled).
    func nextBatch() async -> [ByteBuffer]? {
        while true {
            let batch = state.withLock { state -> [ByteBuffer]? in
                guard state.queue.isEmpty else {
                    var batch: [ByteBuffer] = []
                    swap(&batch, &state.queue)
                    state.queuedBytes = 0
                    return batch
                }
                return state.finished || state.waiterCancelled ? nil : []
            }
            guard let batch else { return nil }
            if !batch.isEmpty { return batch }
            await waitForChange(orFrames: true)
        }
    }

    /// Channel mode: returns once `close` or `kill` was called (or the calling task is cancelled), after the
    /// frames still queued were handed to the channel; the close frame can then follow them.
    func waitUntilClosed() async {
        while !state.withLock({ $0.finished || $0.waiterCancelled }) { await waitForChange(orFrames: false) }
        if let channel, state.withLock({ $0.finished && !$0.killed }) { await drainForClose(on: channel) }
    }

    /// Suspends until the outbox closes, the task is cancelled, or (`orFrames`) a frame is queued.
    private func waitForChange(orFrames: Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.waiterCancelled || (orFrames && !state.queue.isEmpty) { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                state.waiterCancelled = true
                return state.takeWaiter()
            }?.resume()
        }
    }
}
