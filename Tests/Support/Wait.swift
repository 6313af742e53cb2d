/// Polls `condition` until it holds or `timeout` passes (bounded; never a timing assertion).
public func waitUntil(timeout: Duration = .seconds(15), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
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
