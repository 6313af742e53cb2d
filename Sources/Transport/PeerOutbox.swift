public import NIOCore
public import NIOWebSocket

/// What session logic and the hub see of one peer's connection: queue a frame, close, or drop it.
/// Producers never wait: a frame is queued, or the peer is reported too slow (`full`), or it is already closing.
public protocol PeerOutbox: AnyObject, Sendable {
    /// Queues a text frame given as its UTF-8 bytes (shared, not copied, when one buffer goes to many peers).
    func send(_ frame: ByteBuffer) -> OutboxSendResult
    /// Stops accepting frames; those queued are still written, then a close frame with `code` and `reason`
    /// (cut to what a close frame carries). The first close wins.
    func close(code: WebSocketErrorCode, reason: String)
    /// Drops what is queued and closes the socket at once, without a close handshake (a peer that stopped
    /// reading).
    func kill()
    /// Bytes queued or handed to the socket and not yet taken by it.
    var unsentBytes: Int { get }
    /// The close requested through `close` or `kill`, if any.
    var requestedClose: CloseRequest? { get }
}

extension PeerOutbox {
    /// Queues a text frame.
    @discardableResult
    public func send(_ frame: String) -> OutboxSendResult { send(ByteBuffer(string: frame)) }
}

/// What became of a frame handed to `PeerOutbox.send`.
public enum OutboxSendResult: Sendable, Equatable {
    case queued
    /// The peer is too far behind: the caller should `kill()` it. The frame was not queued.
    case full
    /// The connection is closing or closed; the frame was dropped (nothing to do).
    case closed
}
