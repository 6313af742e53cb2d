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
    /// Arrived on our dialled socket before the other end proved itself there with a `server_hello`.
    case unauthenticatedLink = "unauthenticated_link"
    /// A `hello` for a key that a neighbour lists as connected there (a replay from another server, or a user
    /// still listed at their previous server): refused until the neighbour lets go.
    case listedByNeighbour = "listed_by_neighbour"
}

/// Counters of what the relay did, safe to bump from any task.
public final class RelayStatistics: Sendable {
    private let counts = Mutex<Counts>(Counts())

    /// A consistent copy of the counters.
    public struct Counts: Sendable, Equatable {
        /// Frames accepted from clients or neighbours and passed on.
        public var relayed = 0
        /// OlafMessage copies written into peers' queues.
        public var deliveries = 0
        public var dropped: [DropReason: Int] = [:]
        /// Neighbours' `server_hello` counter resets accepted (a restarted neighbour that forgot its counter).
        public var neighbourCounterResets = 0
        /// Times a neighbour listed a client that another neighbour already listed (the key is then withheld).
        public var neighbourKeyConflicts = 0
    }

    public init() {}

    public func relayed(deliveries: Int) {
        counts.withLock {
            $0.relayed += 1
            $0.deliveries += deliveries
        }
    }

    public func neighbourCounterReset() { counts.withLock { $0.neighbourCounterResets += 1 } }

    public func neighbourKeyConflicts(_ count: Int) { counts.withLock { $0.neighbourKeyConflicts += count } }

    public func dropped(_ reason: DropReason) { counts.withLock { $0.dropped[reason, default: 0] += 1 } }

    public var snapshot: Counts { counts.withLock { $0 } }
}
