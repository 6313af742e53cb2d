import NIOCore
import NIOHTTP1

/// Answers a request that HTTP parsing refuses (`Content-Length: -1`, a malformed request line or header) with
/// `400 Bad Request` and closes the connection at once.
///
/// Why it is needed: Hummingbird's WebSocket-upgrade pipeline turns off NIO's error handling and answers parse
/// errors only once a request has reached its HTTP handler. A first request that fails to parse never gets
/// there: the upgrade handler is still waiting for a head, so the peer got no answer at all (the issue saw 5 s
/// of silence; without this handler a raw socket here stayed open and silent for 20 s). This handler sits right after the HTTP request decoder for the first request of a connection and
/// removes itself when a request head has been parsed; from then on Hummingbird's own handling (400 and close)
/// applies, and a WebSocket pipeline never sees it.
final class HTTPParseErrorAnswer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false
    /// Called on the event loop when the first request head was parsed.
    private let onFirstHead: @Sendable (any Channel) -> Void

    init(onFirstHead: @escaping @Sendable (any Channel) -> Void) { self.onFirstHead = onFirstHead }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onFirstHead(context.channel)
        context.fireChannelRead(data)
        // A head was parsed: the rest of the pipeline is in charge of this connection's errors from now on.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let head = HTTPResponseHead(
            version: .http1_1, status: .badRequest, headers: ["Connection": "close", "Content-Length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        context.fireErrorCaught(error)
    }
}

extension HTTPParseErrorAnswer {
    /// Installs the handler right after the HTTP request decoder of `channel`'s pipeline (on its event loop,
    /// while the pipeline is being set up). A pipeline without that decoder is left alone.
    /// - Parameter onFirstHead: called on the event loop once the first request head was parsed.
    static func install(on channel: any Channel, onFirstHead: @escaping @Sendable (any Channel) -> Void) throws {
        let pipeline = channel.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try pipeline.addHandler(HTTPParseErrorAnswer(onFirstHead: onFirstHead), position: .after(decoder))
    }
}
