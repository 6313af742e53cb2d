import Core
import Synchronization

/// Cuts a dialer's backoff short: when a neighbour's own link to us comes up (it restarted, or the network
/// healed), our redial to it should not wait out a 30-second backoff. One `RedialWaker` per neighbour.
final class LinkWaker: Sendable {
    private let wakers = Mutex<[ServerAddress: RedialWaker]>([:])

    /// The waker of the dialer for `address`.
    func waker(for address: ServerAddress) -> RedialWaker {
        wakers.withLock { wakers in
            if let waker = wakers[address] { return waker }
            let waker = RedialWaker()
            wakers[address] = waker
            return waker
        }
    }

    /// Asks the dialer for `address` to try again now (if it is waiting).
    func wake(_ address: ServerAddress) { wakers.withLock { $0[address] }?.wake() }

    /// The dialer for `address` stopped.
    func forget(_ address: ServerAddress) { _ = wakers.withLock { $0.removeValue(forKey: address) } }
}
