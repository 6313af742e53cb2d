/// Exponential backoff with jitter for reconnecting to the home server: the ceiling doubles from `initial` up to
/// `maximum`, and each wait is a random duration between half the ceiling and the ceiling.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private var ceiling: Duration

    init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.ceiling = initial
    }

    /// The next wait; doubles the ceiling for the one after.
    mutating func next() -> Duration {
        let current = ceiling
        ceiling = min(maximum, ceiling * 2)
        let milliseconds = max(
            1, Int64(Double(current.components.seconds) * 1000 + Double(current.components.attoseconds) / 1e15))
        return .milliseconds(Int64.random(in: (milliseconds / 2)...milliseconds))
    }

    /// Back to `initial` after a connection stayed up.
    mutating func reset() { ceiling = initial }
}
