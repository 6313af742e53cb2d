/// Keeps a connection up: runs an attempt until its connection ends, then waits an exponential backoff with
/// jitter before the next one — back to the shortest wait once an attempt stayed up `stableAfter` — and starts
/// early when its `waker` is woken. Stops when the task is cancelled or an attempt says so. Used by olafd's
/// neighbour dialer and olaf-client's home-server connection.
public struct Redialer: Sendable {
    /// What to do after an attempt.
    public enum Next: Sendable, Equatable {
        case redial
        case stop
    }

    public private(set) var backoff: Backoff
    public let stableAfter: Duration
    public let waker: RedialWaker

    public init(backoff: Backoff = Backoff(), stableAfter: Duration = .seconds(30), waker: RedialWaker = RedialWaker()) {
        self.backoff = backoff
        self.stableAfter = stableAfter
        self.waker = waker
    }

    /// Runs attempts until one returns `.stop` or the task is cancelled.
    /// - Parameters:
    ///   - attempt: one connection, from dialling until it ends (bounded handshake included).
    ///   - willWait: told the wait before the next attempt (for logs and status).
    ///   - isolation: the caller's actor (the closures run there).
    public mutating func run(
        isolation: isolated (any Actor)? = #isolation,
        attempt: () async -> Next, willWait: (Duration) async -> Void = { _ in }
    ) async {
        while !Task.isCancelled {
            let started = ContinuousClock.now
            guard await attempt() == .redial, !Task.isCancelled else { return }
            if ContinuousClock.now - started > stableAfter { backoff.reset() }
            let wait = backoff.next()
            await willWait(wait)
            do {
                try await waker.sleep(for: wait)
            } catch {
                return
            }
        }
    }
}
