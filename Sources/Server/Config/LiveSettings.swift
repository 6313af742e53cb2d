import Synchronization

/// The settings a reload may change while connections stay up (limits); read at use time by the relay.
public final class LiveSettings: Sendable {
    private let current: Mutex<ServerLimits>

    public init(limits: ServerLimits) { current = Mutex(limits) }

    /// The limits in force now.
    public var limits: ServerLimits { current.withLock { $0 } }

    /// Reads what `read` picks from the limits in force now, without copying all of them.
    func withLimits<Value>(_ read: (borrowing ServerLimits) -> Value) -> Value { current.withLock { read($0) } }

    /// Replaces the limits; connections opened from now on use them, open ones pick up what they read per frame.
    public func update(_ limits: ServerLimits) { current.withLock { $0 = limits } }
}
