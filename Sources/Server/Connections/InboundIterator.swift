import HummingbirdWebSocket
import NIOWebSocket

/// Reading helpers over a connection's inbound messages.
extension WebSocketInboundMessageStream.AsyncIterator {
    /// After we asked to close, keeps reading (and discarding) until the peer's close arrives or the socket
    /// drops, so the close handshake can finish.
    mutating func discardUntilClosed() async {
        while (try? await next()) != nil {}
    }
}

extension WebSocketMessage {
    /// The text of a text message; nil for binary messages (the protocol uses text frames only).
    var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}
