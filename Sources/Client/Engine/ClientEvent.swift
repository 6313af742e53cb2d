import Synchronization

/// Something the UI should reflect at once.
public enum ClientEvent: Sendable {
    /// The connection state changed.
    case connection(ConnectionStatus)
    /// A new client list arrived.
    case online
    /// A message was stored (received and verified, or sent).
    case message(MessageRecord)
    /// A received frame was dropped.
    case dropped(DropReason)
}

/// Fans events out to any number of subscribers (each UI socket). A subscriber that falls behind loses its
/// oldest events, never blocks the engine.
public final class EventHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<ClientEvent>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A new stream of events from now on; it ends when the consumer stops iterating.
    public func subscribe(buffer: Int = 512) -> AsyncStream<ClientEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ClientEvent.self, bufferingPolicy: .bufferingNewest(buffer))
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: ClientEvent) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(event) }
    }

    /// Ends every subscription.
    public func finish() {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }
}
