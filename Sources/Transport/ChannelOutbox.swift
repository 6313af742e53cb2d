public import NIOCore
public import NIOWebSocket
import Synchronization

/// The outbox of one WebSocket connection that lives on its channel's event loop: any thread may queue frames
/// or close it; the writes happen on the event loop (`WebSocketPeerHandler`), one batch and one flush per
/// burst. The rules are `OutboxStateMachine`'s; this class only holds the lock and hops to the event loop.
public final class ChannelOutbox: PeerOutbox {
    private struct Locked {
        var machine: OutboxStateMachine
        /// The handler that writes; set while the connection lives, cleared when it ends (which also breaks
        /// the handler ↔ outbox reference cycle).
        var writer: NIOLoopBound<WebSocketPeerHandler>?
        /// Set by `kill`, so `requestedClose` tells why the socket went.
        var killed = false
    }

    private let locked: Mutex<Locked>
    /// The connection's event loop.
    public let eventLoop: any EventLoop

    /// - Parameter byteCapacity: bytes that may wait for the peer before it counts as too slow.
    public init(byteCapacity: Int, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.locked = Mutex(Locked(machine: OutboxStateMachine(byteCapacity: byteCapacity)))
    }

    public func send(_ frame: ByteBuffer) -> OutboxSendResult {
        let (action, writer) = locked.withLock { ($0.machine.enqueue(frame), $0.writer) }
        switch action {
        case .queuedScheduleFlush:
            if let writer { eventLoop.execute { writer.value.flushOutbox() } }
            return .queued
        case .queued: return .queued
        case .full: return .full
        case .closed: return .closed
        }
    }

    public func close(code: WebSocketErrorCode, reason: String) {
        let request = CloseRequest(code: code, reason: reason)
        let (action, writer) = locked.withLock { ($0.machine.requestClose(request), $0.writer) }
        guard action == .scheduleClose, let writer else { return }
        eventLoop.execute { writer.value.writeRequestedClose() }
    }

    public func kill() {
        let writer = locked.withLock { locked -> NIOLoopBound<WebSocketPeerHandler>? in
            guard locked.machine.kill() else { return nil }
            locked.killed = true
            return locked.writer
        }
        guard let writer else { return }
        eventLoop.execute { writer.value.closeSocket() }
    }

    public var unsentBytes: Int { locked.withLock { $0.machine.unsentBytes } }

    public var requestedClose: CloseRequest? {
        locked.withLock { $0.killed ? .tooSlow : $0.machine.closeRequest }
    }

    /// Whether our close frame was requested but not written yet, or written (the peer has not answered yet).
    public var isClosing: Bool { locked.withLock { $0.machine.closeRequest != nil } }

    // MARK: For the handler (event loop)

    func attach(_ handler: WebSocketPeerHandler) {
        let writer = NIOLoopBound(handler, eventLoop: eventLoop)
        locked.withLock { $0.writer = writer }
    }

    func withMachine<Result>(_ body: (inout OutboxStateMachine) -> Result) -> Result {
        locked.withLock { body(&$0.machine) }
    }

    /// The connection ended: nothing more is written, and the handler is let go.
    func detach() {
        locked.withLock {
            $0.machine.connectionEnded()
            $0.writer = nil
        }
    }
}
