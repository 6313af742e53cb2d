@testable import Server
import Testing

/// `RecentDepartures`: which keys left here recently enough to be taken back over a neighbour's claim.
@Suite("Recent departures")
struct RecentDeparturesTests {
    let start = ContinuousClock.now

    @Test("a departure counts within the window and not after it")
    func window() {
        var recent = RecentDepartures(window: .seconds(10), capacity: 8)
        recent.record("a", at: start)
        #expect(recent.contains("a", now: start + .seconds(9)))
        #expect(!recent.contains("a", now: start + .seconds(10)))
        recent.record("b", at: start + .seconds(10))
        #expect(recent.count == 1)
    }

    @Test("a key that leaves again is timed from its latest departure")
    func latestDepartureCounts() {
        var recent = RecentDepartures(window: .seconds(10), capacity: 8)
        recent.record("a", at: start)
        recent.record("a", at: start + .seconds(8))
        #expect(recent.contains("a", now: start + .seconds(12)))
        #expect(!recent.contains("a", now: start + .seconds(18)))
    }

    @Test("at capacity the oldest departure is forgotten first; a reconnected key is forgotten at once")
    func capacity() {
        var recent = RecentDepartures(window: .seconds(600), capacity: 3)
        for (offset, key) in ["a", "b", "c", "d"].enumerated() { recent.record(key, at: start + .seconds(offset)) }
        #expect(recent.count == 3)
        #expect(!recent.contains("a", now: start + .seconds(5)))
        #expect(recent.contains("b", now: start + .seconds(5)) && recent.contains("d", now: start + .seconds(5)))
        recent.remove("c")
        #expect(!recent.contains("c", now: start + .seconds(5)))
    }

    @Test("thousands of departures stay bounded by the capacity")
    func bounded() {
        var recent = RecentDepartures(window: .seconds(600), capacity: 100)
        for index in 0..<5_000 { recent.record("key\(index % 700)", at: start + .milliseconds(index)) }
        #expect(recent.count == 100)
        // The last 100 departures were indexes 4,900–4,999: key0 … key99.
        #expect(recent.contains("key99", now: start + .seconds(5)) && !recent.contains("key600", now: start + .seconds(5)))
    }
}
