import Synchronization

/// Runs an action once every listener is bound (olafd's moment for `READY=1`).
final class ReadyGate: Sendable {
    private struct State {
        var remaining: Int
        var action: (@Sendable () async -> Void)?
    }

    private let state: Mutex<State>

    init(listeners: Int) { state = Mutex(State(remaining: listeners, action: nil)) }

    /// What to run when the last listener is up.
    func onReady(_ action: @escaping @Sendable () async -> Void) { state.withLock { $0.action = action } }

    /// One listener is bound; the last one runs the action.
    func listenerUp() async {
        let action = state.withLock { state -> (@Sendable () async -> Void)? in
            state.remaining -= 1
            return state.remaining == 0 ? state.action : nil
        }
        await action?()
    }
}
