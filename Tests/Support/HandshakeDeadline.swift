import Synchronization

/// (Test support: TestClient bounds its raw HummingbirdWSClient connects with it; olafd and olaf-client dial
/// through Transport's WebSocketDialer, whose deadline lives on the event loop.)
///
/// A connection attempt whose opening handshake did not complete in time (a peer that accepts TCP and then
/// never answers the WebSocket upgrade).
public struct HandshakeTimeout: Error, CustomStringConvertible {
    /// How long we waited.
    public let after: Duration
    public var description: String { "no WebSocket handshake within \(after)" }
}

/// Runs one connection attempt and gives up on it when its handshake has not completed within `timeout`.
///
/// `attempt` receives an `opened` callback to call once the handshake completed; from then on the attempt runs
/// for as long as it needs (the connection's whole life) and this function returns what it returns or
/// throws what it throws.
/// When `timeout` passes first, the attempt is cancelled and `HandshakeTimeout` is thrown at once.
///
/// The attempt runs in its own unstructured task on purpose: the WebSocket client does not honour
/// cancellation while it waits for the HTTP upgrade answer, so awaiting it after a timeout could wait forever.
/// The abandoned task ends when the silent peer's socket closes; nothing awaits it. Cancelling the caller
/// cancels the attempt too.
public func withHandshakeDeadline<Result: Sendable>(
    _ timeout: Duration, attempt: @escaping @Sendable (_ opened: @escaping @Sendable () -> Void) async throws -> Result
) async throws -> Result {
    let state = AttemptState()
    let task = Task { () async throws -> Result in
        defer { state.move(to: AttemptState.finished) }
        return try await attempt { state.move(to: AttemptState.opened) }
    }
    let deadline = ContinuousClock.now + timeout
    while state.isPending, ContinuousClock.now < deadline {
        do {
            try await Task.sleep(for: .milliseconds(20))
        } catch {
            task.cancel()
            throw error
        }
    }
    if state.isPending {
        task.cancel()
        throw HandshakeTimeout(after: timeout)
    }
    return try await withTaskCancellationHandler {
        try await task.value
    } onCancel: {
        task.cancel()
    }
}

/// Where an attempt under `withHandshakeDeadline` stands: pending, then opened or finished (whichever first).
private final class AttemptState: Sendable {
    static let pending: UInt8 = 0
    static let opened: UInt8 = 1
    static let finished: UInt8 = 2
    private let value = Atomic<UInt8>(AttemptState.pending)

    var isPending: Bool { value.load(ordering: .acquiring) == Self.pending }

    /// Leaves `pending` for `state`; later moves change nothing.
    func move(to state: UInt8) {
        _ = value.compareExchange(expected: Self.pending, desired: state, ordering: .acquiringAndReleasing)
    }
}
