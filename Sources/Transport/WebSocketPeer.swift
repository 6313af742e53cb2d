public import NIOCore
public import NIOWebSocket

/// The session logic of one WebSocket connection. Called on the connection's event loop only, in the order the
/// peer's messages arrived; never concurrently.
public protocol WebSocketPeer: AnyObject {
    /// A complete message (fragments joined, within the size limit; a text message is valid UTF-8).
    func received(_ message: WebSocketMessageBytes)
    /// The peer sent a close frame (`code` nil: none given), before the connection ends.
    func receivedClose(code: WebSocketErrorCode?, reason: String)
    /// The connection ended (either side, any reason). Called once; nothing is received afterwards.
    func connectionEnded()
}

extension WebSocketPeer {
    public func receivedClose(code: WebSocketErrorCode?, reason: String) {}
}

/// One complete WebSocket message.
public enum WebSocketMessageBytes: Sendable, Equatable {
    /// A text message: UTF-8, validated.
    case text(ByteBuffer)
    case binary(ByteBuffer)
}

/// How a `WebSocketPeerHandler` treats its connection.
public struct WebSocketPeerConfiguration: Sendable {
    /// The largest message accepted, fragments joined; a larger one closes the connection with 1009.
    public var maxMessageBytes: Int
    /// How long after our close frame the peer has to answer it before the socket is dropped.
    public var closeGrace: TimeAmount
    /// How long a new connection has to send its first message, and the close reason when it does not (nil: no
    /// deadline).
    public var firstMessageDeadline: (timeout: TimeAmount, reason: String)?
    /// The reason of the 1001 close sent when the server shuts down gracefully.
    public var shutdownReason: String
    /// Mask every frame we send: true for the client side of a connection (RFC 6455 5.3).
    public var masksFrames: Bool

    public init(
        maxMessageBytes: Int, closeGrace: TimeAmount = .seconds(2),
        firstMessageDeadline: (timeout: TimeAmount, reason: String)? = nil,
        shutdownReason: String = "server shutting down", masksFrames: Bool = false
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.closeGrace = closeGrace
        self.firstMessageDeadline = firstMessageDeadline
        self.shutdownReason = shutdownReason
        self.masksFrames = masksFrames
    }
}

extension ByteBuffer {
    /// The readable bytes as an array, copied in one block.
    public var allReadableBytes: [UInt8] { getBytes(at: readerIndex, length: readableBytes) ?? [] }
}
