import Synchronization

/// Which abuse limit refused something; the label of `olaf_limit_refusals_total` and the keys of
/// `limits.refused` in `olafctl status --json`.
public enum LimitKind: String, Sendable, CaseIterable {
    /// A connection over `max_connections_per_ip` (refused with 1008 / 429, or dropped in a flood).
    case connectionsPerAddress = "connections_per_ip"
    /// A hello or server_hello over `hellos_per_minute_per_ip` (closed 1008 before the signature check).
    case hellosPerAddress = "hellos_per_ip"
    /// A client over `messages_per_second` (closed 1008).
    case messageRate = "message_rate"
    /// A client over `bytes_per_second` (closed 1008).
    case byteRate = "byte_rate"
    /// A frame from a neighbour over `neighbour_frames_per_second` (dropped).
    case neighbourRate = "neighbour_rate"
    /// A neighbour link closed for flooding longer than `neighbour_flood_close_seconds`.
    case neighbourFlood = "neighbour_flood"
    /// An upload over `uploads_per_minute_per_ip` (429).
    case uploadsPerAddress = "uploads_per_ip"
    /// An upload while `max_uploads_in_progress_per_ip` others from that address are in progress (429).
    case uploadsInProgressPerAddress = "uploads_in_progress_per_ip"
    /// A connection closed because its first request (HTTP head or WebSocket upgrade) was not complete within
    /// `http_idle_timeout_seconds` (headers sent a byte at a time, or nothing at all).
    case firstRequestTimeout = "first_request_timeout"
    /// A frame nested deeper than `max_json_depth` (dropped as malformed).
    case jsonDepth = "json_depth"
    /// A frame with a string over `max_json_string_bytes` or a container over its element cap (dropped).
    case jsonSize = "json_size"
    /// A neighbour's `client_update` rejected whole: too many keys or an invalid key.
    case clientUpdateRejected = "client_update_rejected"
}

/// How often each limit refused something since start; safe to bump from any task.
public final class LimitCounters: Sendable {
    private let counts = Mutex<[LimitKind: Int]>([:])

    public init() {}

    func record(_ kind: LimitKind) { counts.withLock { $0[kind, default: 0] += 1 } }

    /// A copy of the counts (every kind present, zero when never hit).
    public var snapshot: [LimitKind: Int] {
        let current = counts.withLock { $0 }
        return Dictionary(uniqueKeysWithValues: LimitKind.allCases.map { ($0, current[$0, default: 0]) })
    }

    public subscript(kind: LimitKind) -> Int { counts.withLock { $0[kind, default: 0] } }
}
