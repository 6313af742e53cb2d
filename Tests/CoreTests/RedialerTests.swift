import Core
import Synchronization
import Testing

/// The redial loop shared by olafd's neighbour dialer and olaf-client: backoff, reset, early wake, stop.
@Suite("Redialer: backoff, stable reset, waking, stopping")
struct RedialerTests {
    @Test("a wake ends the wait at once; without one the wait runs its time")
    func wakeEndsWait() async throws {
        let waker = RedialWaker()
        let start = ContinuousClock.now
        let woken = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await waker.sleep(for: .seconds(30))
                woken.value.store(true, ordering: .releasing)
            }
            // Wake until the sleeper has stored its continuation (a wake with nobody waiting does nothing).
            group.addTask {
                while !woken.value.load(ordering: .acquiring), ContinuousClock.now - start < .seconds(20) {
                    waker.wake()
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - start < .seconds(20))
        let timed = ContinuousClock.now
        try await waker.sleep(for: .milliseconds(100))
        #expect(ContinuousClock.now - timed >= .milliseconds(100))
    }

    @Test("a cancelled wait throws at once")
    func cancelledWait() async {
        let waker = RedialWaker()
        let task = Task { try await waker.sleep(for: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("attempts repeat with growing waits until one says stop; a stable attempt resets the backoff")
    func backoffAndStop() async {
        let waits = Mutex<[Duration]>([])
        let attempts = Mutex(0)
        var redialer = Redialer(
            backoff: Backoff(initial: .milliseconds(8), maximum: .milliseconds(64)), stableAfter: .milliseconds(200))
        await redialer.run(
            attempt: {
                let number = attempts.withLock { count -> Int in
                    count += 1
                    return count
                }
                if number == 4 { try? await Task.sleep(for: .milliseconds(250)) }  // stayed up: a stable link
                return number == 5 ? .stop : .redial
            },
            willWait: { wait in waits.withLock { $0.append(wait) } })
        let recorded = waits.withLock { $0 }
        #expect(attempts.withLock { $0 } == 5)
        #expect(recorded.count == 4)
        // Jittered within [ceiling/2, ceiling]: 8, 16, 32 ms; after the stable attempt back to 8 ms.
        #expect(recorded[0] <= .milliseconds(8) && recorded[2] >= .milliseconds(16))
        #expect(recorded[3] <= .milliseconds(8))
    }

    /// A flag shared by the test's tasks.
    final class Flag: Sendable {
        let value = Atomic(false)
    }
}
