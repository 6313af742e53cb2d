import Synchronization

/// Cuts a redial wait short (e.g. the neighbour just connected to us: it is back, try now). The wait suspends on
/// a continuation that `wake()` resumes; nothing polls. A wake while no wait is in progress has no effect.
public final class RedialWaker: Sendable {
    private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)

    public init() {}

    /// Ends the current wait, if any.
    public func wake() { takeWaiter()?.resume() }

    /// Sleeps for `duration`, or until `wake()`. Throws `CancellationError` when the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.waitForWake() }
            _ = await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    private func waitForWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiter.withLock { $0 = continuation }
                // Cancelled before the continuation was stored: the handler found nothing to resume.
                if Task.isCancelled { takeWaiter()?.resume() }
            }
        } onCancel: {
            takeWaiter()?.resume()
        }
    }

    /// Whoever takes the continuation resumes it: it is resumed exactly once.
    private func takeWaiter() -> CheckedContinuation<Void, Never>? {
        waiter.withLock { waiter in
            defer { waiter = nil }
            return waiter
        }
    }
}
