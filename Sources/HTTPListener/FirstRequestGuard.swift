import NIOCore
import NIOHTTP1

/// Watches a connection until its first request head is parsed, from right after the HTTP request decoder:
/// - a first request that HTTP parsing refuses (`Content-Length: -1`, a malformed request line or header) is
///   answered with `400 Bad Request` and the connection closed at once. Hummingbird's WebSocket-upgrade
///   pipeline turns off NIO's error handling and answers parse errors only once a request has reached its HTTP
///   handler; a first request that fails to parse never gets there, so the peer got no answer at all;
/// - a first request head that is not complete within `deadline` (a head sent a byte at a time, or nothing at
///   all) closes the connection: Hummingbird's idle timeout starts only once a head was parsed;
/// - a graceful shutdown (`ChannelShouldQuiesceEvent`) closes a connection that has not sent a request yet:
///   nothing else would (Hummingbird's connection state handler is added only after the first head), and the
///   listener's shutdown waits for every connection. A browser's preconnected socket held olaf-client's
///   shutdown for a minute that way.
/// Once the first head is parsed the handler removes itself: from then on Hummingbird's own handling applies,
/// and a WebSocket pipeline never sees it. Runs on the channel's event loop only.
final class FirstRequestGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let deadline: TimeAmount?
    private let onFirstHead: @Sendable (any Channel) -> Void
    private let onDeadline: @Sendable () -> Void
    private var answered = false
    private var deadlineTask: Scheduled<Void>?

    init(
        deadline: TimeAmount?, onFirstHead: @escaping @Sendable (any Channel) -> Void,
        onDeadline: @escaping @Sendable () -> Void
    ) {
        self.deadline = deadline
        self.onFirstHead = onFirstHead
        self.onDeadline = onDeadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let deadline else { return }
        let channel = context.channel
        let onDeadline = self.onDeadline
        deadlineTask = context.eventLoop.scheduleTask(in: deadline) {
            onDeadline()
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlineTask?.cancel()
        deadlineTask = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadlineTask?.cancel()
        deadlineTask = nil
        onFirstHead(context.channel)
        context.fireChannelRead(data)
        // A head was parsed: the rest of the pipeline is in charge of this connection from now on.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
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

extension FirstRequestGuard {
    /// Installs the handler right after the HTTP request decoder of `channel`'s pipeline (on its event loop,
    /// while the pipeline is being set up). A pipeline without that decoder is left alone.
    static func install(
        on channel: any Channel, deadline: TimeAmount?, onFirstHead: @escaping @Sendable (any Channel) -> Void,
        onDeadline: @escaping @Sendable () -> Void
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try pipeline.addHandler(
            FirstRequestGuard(deadline: deadline, onFirstHead: onFirstHead, onDeadline: onDeadline),
            position: .after(decoder))
    }
}
