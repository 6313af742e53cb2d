import Synchronization

/// Why a received frame was not relayed; counted per reason for `olafctl status` and metrics.
public enum DropReason: String, Sendable, CaseIterable, Codable {
    case malformed = "malformed"
    case badSignature = "bad_signature"
    case replayedCounter = "replayed_counter"
    case senderMismatch = "sender_mismatch"
    case notAllowedFromClient = "not_allowed_from_client"
    case notAllowedFromNeighbour = "not_allowed_from_neighbour"
    case beforeHello = "before_hello"
    case unknownDestination = "unknown_destination"
    case neighbourLinkDown = "neighbour_link_down"
    case unknownSender = "unknown_sender"
    case slowConsumer = "slow_consumer"
    case neighbourRateLimited = "neighbour_rate_limited"
}

/// Counters of what the relay did, safe to bump from any task.
public final class RelayStatistics: Sendable {
    private let counts = Mutex<Counts>(Counts())

    /// A consistent copy of the counters.
    public struct Counts: Sendable, Equatable {
        /// Frames accepted from clients or neighbours and passed on.
        public var relayed = 0
        /// Frame copies written into peers' queues.
        public var deliveries = 0
        public var dropped: [DropReason: Int] = [:]
    }

    public init() {}

    public func relayed(deliveries: Int) {
        counts.withLock {
            $0.relayed += 1
            $0.deliveries += deliveries
        }
    }

    public func dropped(_ reason: DropReason) { counts.withLock { $0.dropped[reason, default: 0] += 1 } }

    public var snapshot: Counts { counts.withLock { $0 } }
}
