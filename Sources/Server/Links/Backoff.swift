/// Exponential backoff with full jitter for redialling neighbours: the ceiling doubles from `initial` up to
/// `maximum`, and each wait is a random duration up to the ceiling (so restarted servers do not redial in step).
struct Backoff {
    let initial: Duration
    let maximum: Duration
    private var ceiling: Duration

    init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.ceiling = initial
    }

    /// The next wait; doubles the ceiling for the one after.
    mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let current = ceiling
        ceiling = min(maximum, ceiling * 2)
        let milliseconds = max(
            1, Int64(Double(current.components.seconds) * 1000 + Double(current.components.attoseconds) / 1e15))
        return .milliseconds(Int64.random(in: (milliseconds / 2)...milliseconds, using: &generator))
    }

    mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// Back to `initial` after a link stayed up.
    mutating func reset() { ceiling = initial }
}
