/// A token bucket: `rate` tokens per second, holding at most `burst`.
public struct TokenBucket: Sendable {
    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    /// A bucket holding `initial` tokens (full when nil).
    public init(rate: Double, burst: Double, initial: Double? = nil, now: ContinuousClock.Instant = .now) {
        self.rate = rate
        self.burst = burst
        self.tokens = min(burst, initial ?? burst)
        self.last = now
    }

    /// Takes one token; false when the bucket is empty.
    public mutating func take(now: ContinuousClock.Instant = .now) -> Bool { take(1, now: now) }

    /// Takes `amount` tokens; false (and nothing taken) when fewer are left.
    public mutating func take(_ amount: Double, now: ContinuousClock.Instant = .now) -> Bool {
        refill(now: now)
        guard tokens >= amount else { return false }
        tokens -= amount
        return true
    }

    /// The tokens left at `now`.
    public mutating func available(now: ContinuousClock.Instant = .now) -> Double {
        refill(now: now)
        return tokens
    }

    /// Whether the bucket has refilled completely by `now` (an idle entry that can be forgotten).
    public func isFull(now: ContinuousClock.Instant = .now) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= burst
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        guard now > last else { return }
        let elapsed = now - last
        last = now
        tokens = min(burst, tokens + elapsed.inSeconds * rate)
    }
}
