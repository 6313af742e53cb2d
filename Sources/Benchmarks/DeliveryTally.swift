import Synchronization

/// Counters shared by every generator connection of one run (atomics; connections add in batches).
final class DeliveryTally: Sendable {
    /// Frames carrying a benchmark message (`"counter":` found), received by any connection.
    let deliveries = Atomic<Int>(0)
    /// Frames received by connections in the receiver role only.
    let receiverDeliveries = Atomic<Int>(0)
    /// Benchmark messages written by senders.
    let sent = Atomic<Int>(0)
    /// Connections closed (by either side) after their upgrade.
    let closed = Atomic<Int>(0)

    var deliveryCount: Int { deliveries.load(ordering: .relaxed) }
    var receiverDeliveryCount: Int { receiverDeliveries.load(ordering: .relaxed) }
}
