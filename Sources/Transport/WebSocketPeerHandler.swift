public import NIOCore
public import NIOWebSocket

/// Owns one upgraded WebSocket connection on its event loop, after NIO's frame decoder and encoder:
/// - joins fragmented messages up to `maxMessageBytes` (1009 beyond), checks that text is UTF-8 (1007 if not),
///   and hands each complete message to its `WebSocketPeer` in order, without leaving the event loop;
/// - answers pings, ignores pongs;
/// - writes its `ChannelOutbox`'s frames (one flush per batch; writability changes release what waited);
/// - closes: our close frame after the queued frames, then `closeGrace` for the peer's answer; a peer's close is
///   answered (echoing its code) and the socket closed; a graceful server shutdown closes with 1001;
/// - closes a connection that sends no message within the first-message deadline.
public final class WebSocketPeerHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = WebSocketFrame
    public typealias OutboundOut = WebSocketFrame

    private let outbox: ChannelOutbox
    private let peer: any WebSocketPeer
    private let configuration: WebSocketPeerConfiguration
    private var context: ChannelHandlerContext?
    /// A fragmented message being joined: its opcode and the bytes so far.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    private var firstMessageDeadline: Scheduled<Void>?
    private var closeDeadline: Scheduled<Void>?
    private var receivedAny = false
    private var ended = false

    /// - Parameters:
    ///   - outbox: the connection's outbox; its writes go through this handler.
    ///   - peer: the session logic, called on the event loop.
    public init(outbox: ChannelOutbox, peer: any WebSocketPeer, configuration: WebSocketPeerConfiguration) {
        self.outbox = outbox
        self.peer = peer
        self.configuration = configuration
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbox.attach(self)
        if let deadline = configuration.firstMessageDeadline {
            let outbox = self.outbox
            firstMessageDeadline = context.eventLoop.scheduleTask(in: deadline.timeout) {
                outbox.close(code: .policyViolation, reason: deadline.reason)
            }
        }
        if !context.channel.isActive { end() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        end()
        self.context = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        let action = outbox.withMachine { $0.writabilityChanged(isWritable: context.channel.isWritable) }
        write(action, context: context)
        context.fireChannelWritabilityChanged()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            outbox.close(code: .goingAway, reason: configuration.shutdownReason)
            return
        }
        if case .inputClosed? = event as? ChannelEvent {
            // The peer half-closed without a close frame: nothing more can arrive.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Decoder errors were answered with a close frame by NIO's protocol error handler; anything else (a
        // reset socket) ends the connection.
        context.close(promise: nil)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            peerSentClose(frame, context: context)
        case .ping:
            guard !outbox.isClosing, !ended else { return }
            context.writeAndFlush(wrapOutboundOut(frameToSend(.pong, frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .text, .binary, .continuation:
            dataFrame(frame)
        default:
            close(.protocolError, "unknown opcode")
        }
    }

    // MARK: Messages

    private func dataFrame(_ frame: WebSocketFrame) {
        // After we asked to close, the peer's data is read and discarded until it answers.
        guard !outbox.isClosing, !ended else { return }
        var message: (opcode: WebSocketOpcode, data: ByteBuffer)
        switch (frame.opcode, fragments) {
        case (.continuation, nil):
            return close(.protocolError, "continuation frame without a message to continue")
        case (.continuation, (let opcode, var data)?):
            guard data.readableBytes + frame.length <= configuration.maxMessageBytes else {
                return tooLarge()
            }
            var payload = frame.unmaskedData
            data.writeBuffer(&payload)
            message = (opcode, data)
        case (_, .some):
            return close(.protocolError, "a new message started before the previous one ended")
        default:
            message = (frame.opcode, frame.unmaskedData)
        }
        guard frame.fin else {
            fragments = message
            return
        }
        fragments = nil
        deliver(opcode: message.opcode, data: message.data)
    }

    private func deliver(opcode: WebSocketOpcode, data: ByteBuffer) {
        if !receivedAny {
            receivedAny = true
            firstMessageDeadline?.cancel()
            firstMessageDeadline = nil
        }
        if opcode == .binary {
            peer.received(.binary(data))
            return
        }
        guard data.isValidUTF8 else {
            return close(.dataInconsistentWithMessage, "text message is not valid UTF-8")
        }
        peer.received(.text(data))
    }

    private func tooLarge() {
        fragments = nil
        close(.messageTooLarge, "message larger than \(configuration.maxMessageBytes) bytes")
    }

    private func close(_ code: WebSocketErrorCode, _ reason: String) {
        outbox.close(code: code, reason: reason)
    }

    private func peerSentClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        var data = frame.unmaskedData
        let code = data.readInteger(as: UInt16.self).map { WebSocketErrorCode(codeNumber: Int($0)) }
        peer.receivedClose(code: code, reason: data.readString(length: min(data.readableBytes, 123)) ?? "")
        switch outbox.withMachine({ $0.peerClosed(code: code) }) {
        case .none:
            break
        case .closeSocket:
            context.close(promise: nil)
        case .answerThenCloseSocket(let answer):
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(closeFrame(answer, allocator: channel.allocator)))
                .whenComplete { _ in channel.close(promise: nil) }
        }
    }

    // MARK: Writing (called through the outbox, on the event loop)

    /// The flush the first frame of a burst scheduled.
    func flushOutbox() {
        guard let context else { return }
        write(outbox.withMachine { $0.flush() }, context: context)
    }

    /// Writes a requested close: the queued frames, the close frame, then waits `closeGrace` for the answer.
    func writeRequestedClose() {
        guard let context else { return }
        guard case .write(let frames, let bytes, let request) = outbox.withMachine({ $0.writeClose() }) else {
            return
        }
        write(frames, bytes: bytes, context: context, flush: false)
        context.writeAndFlush(wrapOutboundOut(closeFrame(request, allocator: context.channel.allocator)), promise: nil)
        let channel = context.channel
        closeDeadline = context.eventLoop.scheduleTask(in: configuration.closeGrace) { channel.close(promise: nil) }
    }

    /// Closes the socket at once (the outbox was killed).
    func closeSocket() {
        context?.close(promise: nil)
    }

    private func write(_ action: OutboxStateMachine.FlushAction, context: ChannelHandlerContext) {
        guard case .write(let frames, let bytes) = action else { return }
        write(frames, bytes: bytes, context: context, flush: true)
    }

    /// Writes `frames` as text frames; once the last write completed (writes complete in order) the socket took
    /// all of them, or the channel closed and failed them all: either way they no longer count as unsent.
    private func write(_ frames: [ByteBuffer], bytes: Int, context: ChannelHandlerContext, flush: Bool) {
        guard !frames.isEmpty else { return }
        for frame in frames.dropLast() {
            context.write(wrapOutboundOut(frameToSend(.text, frame)), promise: nil)
        }
        let last = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(frameToSend(.text, frames[frames.count - 1])), promise: last)
        if flush { context.flush() }
        let outbox = self.outbox
        last.futureResult.whenComplete { _ in outbox.withMachine { $0.writesCompleted(bytes: bytes) } }
    }

    private func closeFrame(_ request: CloseRequest, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 2 + request.reason.utf8.count)
        data.write(webSocketErrorCode: request.code)
        data.writeString(request.reason)
        return frameToSend(.connectionClose, data)
    }

    /// A frame to send: masked with a fresh key on the client side of a connection.
    private func frameToSend(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: configuration.masksFrames ? .random() : nil, data: data)
    }

    private func end() {
        guard !ended else { return }
        ended = true
        firstMessageDeadline?.cancel()
        closeDeadline?.cancel()
        fragments = nil
        outbox.detach()
        peer.connectionEnded()
    }
}

extension ByteBuffer {
    /// Whether the readable bytes are valid UTF-8 (checked in place, no copy).
    var isValidUTF8: Bool {
        (try? UTF8Span(validating: readableBytesUInt8Span)) != nil
    }
}
