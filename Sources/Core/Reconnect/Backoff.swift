/// Exponential backoff with jitter for redialling (a client to its home server, a server to its neighbours,
/// protocol interop rule 7): the ceiling doubles from `initial` up to `maximum`, and each wait is a random
/// duration between half the ceiling and the ceiling, so peers restarted together do not redial in step.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private var ceiling: Duration

    public init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.ceiling = initial
    }

    /// The next wait; doubles the ceiling for the one after.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let current = ceiling
        ceiling = min(maximum, ceiling * 2)
        let milliseconds = max(
            1, Int64(Double(current.components.seconds) * 1000 + Double(current.components.attoseconds) / 1e15))
        return .milliseconds(Int64.random(in: (milliseconds / 2)...milliseconds, using: &generator))
    }

    /// The next wait, drawn from the system generator.
    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// Back to `initial` after a connection stayed up.
    public mutating func reset() { ceiling = initial }
}
