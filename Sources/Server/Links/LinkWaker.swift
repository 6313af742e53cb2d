import Core
import Synchronization

/// Cuts a dialer's backoff short: when a neighbour's own link to us comes up (it restarted, or the network
/// healed), our redial to it should not wait out a 30-second backoff.
final class LinkWaker: Sendable {
    private let requested = Mutex<Set<ServerAddress>>([])

    /// Asks the dialer for `address` to try again now.
    func wake(_ address: ServerAddress) { _ = requested.withLock { $0.insert(address) } }

    /// Sleeps up to `duration`, returning early when `address` is woken. Throws when cancelled.
    func sleep(_ duration: Duration, orUntilWoken address: ServerAddress) async throws {
        let deadline = ContinuousClock.now + duration
        _ = requested.withLock { $0.remove(address) }
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
            if requested.withLock({ $0.remove(address) }) != nil { return }
        }
    }
}
