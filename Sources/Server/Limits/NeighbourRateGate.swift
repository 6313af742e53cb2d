import Core
import Synchronization

/// The inbound frame rate of one neighbour, shared by all its links: a token bucket, plus how long the
/// neighbour has been over it. A flood that never pauses for a second gets the link closed.
final class NeighbourRateGate: Sendable {
    /// What to do with one frame.
    enum Verdict: Equatable, Sendable {
        case accept
        /// Over the rate: drop the frame.
        case drop
        /// Over the rate for longer than the allowed flood: drop it and close the link.
        case close
    }

    private struct State {
        var bucket: TokenBucket
        var rate: Double
        var burst: Double
        var floodStarted: ContinuousClock.Instant?
        var lastDrop: ContinuousClock.Instant?
    }

    /// A flood counts as over once no frame was dropped for this long.
    static let quietPeriod: Duration = .seconds(1)

    private let state: Mutex<State>

    init(now: ContinuousClock.Instant = .now) {
        state = Mutex(State(bucket: TokenBucket(rate: 1, burst: 1, now: now), rate: 0, burst: 0))
    }

    func admit(limits: AbuseLimits, now: ContinuousClock.Instant = .now) -> Verdict {
        state.withLock { state in
            if state.rate != limits.neighbourFramesPerSecond || state.burst != limits.neighbourFrameBurst {
                state.rate = limits.neighbourFramesPerSecond
                state.burst = limits.neighbourFrameBurst
                state.bucket = TokenBucket(rate: state.rate, burst: state.burst, now: now)
            }
            if let lastDrop = state.lastDrop, now - lastDrop >= Self.quietPeriod {
                state.floodStarted = nil
                state.lastDrop = nil
            }
            if state.bucket.take(now: now) { return .accept }
            let started = state.floodStarted ?? now
            state.floodStarted = started
            state.lastDrop = now
            return now - started >= limits.neighbourFloodCloseAfter ? .close : .drop
        }
    }
}
