public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

/// The request context of olafd's router: WebSocket-capable, and it keeps the channel so a connection can be
/// dropped at once (a peer that stopped reading cannot be closed politely).
public struct OlafRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<OlafRequestContext>
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.channel = source.channel
    }
}
