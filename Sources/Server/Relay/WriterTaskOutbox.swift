import Synchronization
public import NIOCore
public import NIOWebSocket
public import Transport

/// The bounded queue of frames for a connection drained by a writer task: our dialled neighbour link, whose
/// WebSocket client gives no channel. Accepted connections use the transport's `ChannelOutbox` instead.
///
/// Producers never wait: `send` queues the frame, or reports that the peer has fallen too far behind —
/// `capacity` frames or `byteCapacity` bytes not yet handed to the writer — in which case the caller kills it.
public final class WriterTaskOutbox: PeerOutbox {
    private struct State {
        var queue: [ByteBuffer] = []
        var queuedBytes = 0
        var closeRequest: CloseRequest?
        /// No frame is accepted any more (closed or killed).
        var finished = false
        var killed = false
        /// The writer waiting for its next batch.
        var waiter: CheckedContinuation<Void, Never>?
        var waiterCancelled = false

        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let capacity: Int
    private let byteCapacity: Int
    private let forceClose: @Sendable () -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - capacity: frames that may wait before the peer counts as too slow.
    ///   - byteCapacity: bytes that may wait before the peer counts as too slow (an empty outbox takes any frame).
    ///   - forceClose: closes the underlying socket at once (no close handshake).
    public init(capacity: Int, byteCapacity: Int = .max, forceClose: @escaping @Sendable () -> Void) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        self.forceClose = forceClose
    }

    public func send(_ frame: ByteBuffer) -> OutboxSendResult {
        let (result, wake) = state.withLock { state -> (OutboxSendResult, CheckedContinuation<Void, Never>?) in
            if state.finished { return (.closed, nil) }
            if state.queue.count >= capacity { return (.full, nil) }
            if state.queuedBytes > 0, state.queuedBytes + frame.readableBytes > byteCapacity { return (.full, nil) }
            state.queue.append(frame)
            state.queuedBytes += frame.readableBytes
            return (.queued, state.takeWaiter())
        }
        wake?.resume()
        return result
    }

    public func close(code: WebSocketErrorCode, reason: String) {
        let waiter = state.withLock { state in
            if state.closeRequest == nil { state.closeRequest = CloseRequest(code: code, reason: reason) }
            state.finished = true
            return state.takeWaiter()
        }
        waiter?.resume()
    }

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

    public var unsentBytes: Int { state.withLock { $0.queuedBytes } }

    public var requestedClose: CloseRequest? { state.withLock { $0.closeRequest } }

    /// The next frames to write, in order; nil once the outbox is closed and empty (or the calling task is
    /// cancelled).
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
            await waitForChange()
        }
    }

    /// Suspends until a frame is queued, the outbox closes, or the task is cancelled.
    private func waitForChange() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.waiterCancelled || !state.queue.isEmpty { return true }
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
