public import Foundation
import Synchronization

/// Something the UI should reflect at once.
public enum ClientEvent: Sendable {
    /// The connection state changed.
    case connection(ConnectionStatus)
    /// The online list changed (a client list that differs from the last one, or the list was cleared).
    case online
    /// A client list arrived (changed or not): the list is fresh as of this time.
    case listRefreshed(Date)
    /// A message was stored (received and verified, or sent).
    case message(MessageRecord)
    /// A received frame was dropped.
    case dropped(ReceiveDropReason)
}

/// Fans events out to any number of subscribers (each UI socket). A subscriber that falls behind loses its
/// oldest events, never blocks the engine. Whether anyone is subscribed tells the engine that a UI is watching
/// (it then refreshes the online list more often).
public final class EventHub: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<ClientEvent>.Continuation] = [:]
        /// Tasks suspended in `waitForSubscriber`, resumed by the next `subscribe`.
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A new stream of events from now on; it ends when the consumer stops iterating.
    public func subscribe(buffer: Int = 512) -> AsyncStream<ClientEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ClientEvent.self, bufferingPolicy: .bufferingNewest(buffer))
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let waiters = state.withLock { state in
            state.subscribers[id] = continuation
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        for waiter in waiters { waiter.resume() }
        return stream
    }

    /// Whether at least one subscriber (a UI page) is attached.
    public var hasSubscribers: Bool { state.withLock { !$0.subscribers.isEmpty } }

    /// Returns once at least one subscriber is attached (at once if one is), or when the calling task is cancelled.
    public func waitForSubscriber() async {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    // Checked under the lock: a cancellation handler that ran before we registered found nothing to
                    // resume, so the cancelled flag (set before the handler runs) must be seen here.
                    guard state.subscribers.isEmpty, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    public func publish(_ event: ClientEvent) {
        for continuation in state.withLock({ Array($0.subscribers.values) }) { continuation.yield(event) }
    }

    /// Ends every subscription (and releases anyone waiting for one).
    public func finish() {
        let (subscribers, waiters) = state.withLock { state in
            defer { state.waiters.removeAll() }
            return (Array(state.subscribers.values), Array(state.waiters.values))
        }
        for continuation in subscribers { continuation.finish() }
        for waiter in waiters { waiter.resume() }
    }
}
