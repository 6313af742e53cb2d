import Synchronization

/// Identifies one accepted or dialled WebSocket connection for the lifetime of the process.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    private static let next = Atomic<UInt64>(1)

    /// A fresh identifier.
    public static func make() -> ConnectionID {
        ConnectionID(value: next.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    public var description: String { "#\(value)" }
}
