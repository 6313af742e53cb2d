/// Keys that were connected here until a short while ago, so that a user whose connection blipped is taken back
/// although a neighbour started listing them meanwhile (`RelayHub.admit`). Bounded in time and in count: the oldest
/// entries go first when `capacity` is reached.
struct RecentDepartures {
    let window: Duration
    let capacity: Int
    private var departed: [String: ContinuousClock.Instant] = [:]
    /// Departures in time order; `head` is the first one not yet dropped (compacted when half is dead).
    private var order: [(fingerprint: String, at: ContinuousClock.Instant)] = []
    private var head = 0

    init(window: Duration = .seconds(600), capacity: Int = 65_536) {
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Notes that `fingerprint` left at `now`.
    mutating func record(_ fingerprint: String, at now: ContinuousClock.Instant = .now) {
        prune(now: now)
        if departed.count >= capacity { dropOldest() }
        departed[fingerprint] = now
        order.append((fingerprint, now))
    }

    /// Whether `fingerprint` left within the window.
    func contains(_ fingerprint: String, now: ContinuousClock.Instant = .now) -> Bool {
        guard let at = departed[fingerprint] else { return false }
        return now - at < window
    }

    /// Forgets `fingerprint` (it is connected again).
    mutating func remove(_ fingerprint: String) { departed[fingerprint] = nil }

    /// Entries held (expired ones go at the next `record`).
    var count: Int { departed.count }

    private mutating func prune(now: ContinuousClock.Instant) {
        while head < order.count, now - order[head].at >= window { dropOldest() }
    }

    private mutating func dropOldest() {
        while head < order.count {
            let (fingerprint, at) = order[head]
            head += 1
            // A later departure of the same key has its own entry further on; only the latest one counts.
            if departed[fingerprint] == at {
                departed[fingerprint] = nil
                break
            }
        }
        if head > 64, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
