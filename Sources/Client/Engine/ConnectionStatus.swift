/// The engine's link to its home server, as the UI shows it.
public struct ConnectionStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Dialling, or waiting for the first client list.
        case connecting
        /// Hello sent and a client list received.
        case online
        /// Disconnected; `detail` says why and `retryAt` when the next attempt starts.
        case offline
    }

    public var state: State
    /// A human explanation (why offline, what is being dialled).
    public var detail: String?
    /// Seconds since 1970 of the next reconnection attempt.
    public var retryAt: Double?

    public init(state: State, detail: String? = nil, retryAt: Double? = nil) {
        self.state = state
        self.detail = detail
        self.retryAt = retryAt
    }
}
