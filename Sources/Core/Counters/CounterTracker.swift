/// Replay protection: the last counter accepted from each sender, and the rule that a new one must be greater.
///
/// A value type with no I/O; the owner (a server actor, a client engine) persists `lastAccepted` as it
/// changes and seeds a new tracker from what it stored, so protection survives restarts.
public struct CounterTracker: Sendable, Equatable {
    /// Last accepted counter per sender (a fingerprint, or a neighbour's canonical address).
    public private(set) var lastAccepted: [String: UInt64]

    public init(lastAccepted: [String: UInt64] = [:]) { self.lastAccepted = lastAccepted }

    /// Throws `replayedCounter` unless `counter` is greater than the last one accepted from `sender`.
    /// Does not record anything: call `record` once the message is otherwise accepted (signature verified).
    public func check(_ counter: UInt64, from sender: String) throws(ProtocolError) {
        if let last = lastAccepted[sender], counter <= last {
            throw .replayedCounter(last: last, received: counter)
        }
    }

    /// Records `counter` as the newest from `sender` (never moves backwards).
    public mutating func record(_ counter: UInt64, from sender: String) {
        if let last = lastAccepted[sender], last >= counter { return }
        lastAccepted[sender] = counter
    }

    /// `check` then `record` in one step.
    public mutating func accept(_ counter: UInt64, from sender: String) throws(ProtocolError) {
        try check(counter, from: sender)
        lastAccepted[sender] = counter
    }

    /// Forgets a sender (e.g. `olafctl neighbours reset-counter` for a neighbour that lost its state).
    public mutating func forget(_ sender: String) { lastAccepted[sender] = nil }
}

/// Our own outgoing counter: strictly increasing, starting at 1 (interop rule 6: some peers treat 0 as unset).
/// The owner persists `last` after each `next()` (or in batches ahead, reserving a block) so it never repeats.
public struct OutgoingCounter: Sendable, Equatable {
    /// The last counter handed out (0 before the first).
    public private(set) var last: UInt64

    public init(last: UInt64 = 0) { self.last = last }

    /// The next counter to sign with.
    public mutating func next() -> UInt64 {
        precondition(last < UInt64.max, "outgoing counter exhausted")
        last += 1
        return last
    }
}
