import Core
import Synchronization

/// One token bucket per address, in a table of bounded size: when it is full, entries whose bucket has
/// refilled (idle addresses) are swept out, at most once a second; if every entry is still busy, addresses
/// not in the table share one overflow bucket. So a flood from many addresses costs bounded memory and
/// bounded work, and still cannot get more than one address's allowance through the overflow.
final class AddressRateTable: Sendable {
    private struct Entry {
        var bucket: TokenBucket
        let rate: Double
        let burst: Double
    }

    private struct State {
        var entries: [PeerAddressKey: Entry] = [:]
        var overflow: Entry?
        var lastSweep: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    /// Takes one token for `key`; false when that address is over its rate.
    /// - Parameters:
    ///   - rate: tokens per second; `burst`: bucket size; `capacity`: most addresses remembered.
    func take(
        _ key: PeerAddressKey, rate: Double, burst: Double, capacity: Int, now: ContinuousClock.Instant = .now
    ) -> Bool {
        state.withLock { state in
            if var entry = state.entries[key], entry.rate == rate, entry.burst == burst {
                let allowed = entry.bucket.take(now: now)
                state.entries[key] = entry
                return allowed
            }
            if state.entries[key] == nil, state.entries.count >= capacity {
                if state.lastSweep.map({ now - $0 >= .seconds(1) }) ?? true {
                    state.lastSweep = now
                    state.entries = state.entries.filter { !$0.value.bucket.isFull(now: now) }
                }
            }
            var entry = Entry(bucket: TokenBucket(rate: rate, burst: burst, now: now), rate: rate, burst: burst)
            if state.entries[key] != nil || state.entries.count < max(1, capacity) {
                let allowed = entry.bucket.take(now: now)
                state.entries[key] = entry
                return allowed
            }
            if let overflow = state.overflow, overflow.rate == rate, overflow.burst == burst { entry = overflow }
            let allowed = entry.bucket.take(now: now)
            state.overflow = entry
            return allowed
        }
    }

    /// Addresses remembered now.
    var trackedCount: Int { state.withLock { $0.entries.count } }
}
