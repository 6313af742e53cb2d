/// Polls `condition` until it holds or `timeout` passes (bounded; never a timing assertion). A cancelled task
/// (a test past its time limit) stops waiting at once: `Task.sleep` throws immediately when cancelled, and a loop
/// that ignored that would spin on one of the few concurrency threads until its deadline, starving every other
/// test (on 2 cores, the pool has 2 threads; Swift Testing also captures a backtrace for every throw).
public func waitUntil(timeout: Duration = .seconds(15), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        guard await pause(.milliseconds(20)) else { break }
    }
    return await condition()
}

/// Sleeps for `duration`; false (at once) if the task is cancelled, so polling loops can stop instead of spinning.
public func pause(_ duration: Duration) async -> Bool {
    do {
        try await Task.sleep(for: duration)
        return true
    } catch {
        return false
    }
}

/// Waits for `task` to finish, at most `timeout`; false if it did not. Test-only: on a timeout the waiting helper
/// task is left behind (it ends when `task` does), which turns a hang into a recorded failure instead of a test
/// run that never ends.
public func taskFinished<Success: Sendable, Failure: Error>(_ task: Task<Success, Failure>, within timeout: Duration)
    async
    -> Bool
{
    let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
    let waiter = Task {
        _ = await task.result
        continuation.yield(true)
    }
    let timer = Task {
        try? await Task.sleep(for: timeout)
        continuation.yield(false)
    }
    var result = false
    for await value in stream {
        result = value
        break
    }
    timer.cancel()
    if result { _ = await waiter.value }
    return result
}
