import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import Transport

/// The connection handler on an `EmbeddedChannel`: messages in order, limits, pings, both closes, deadlines.
@Suite("WebSocketPeerHandler: messages, limits, closes, deadlines")
struct WebSocketPeerHandlerTests {
    final class RecordingPeer: WebSocketPeer {
        var messages: [WebSocketMessageBytes] = []
        var endings = 0
        func received(_ message: WebSocketMessageBytes) { messages.append(message) }
        func connectionEnded() { endings += 1 }
        var texts: [String] { messages.compactMap { if case .text(let b) = $0 { String(buffer: b) } else { nil } } }
    }

    struct Harness {
        let channel: EmbeddedChannel
        let outbox: ChannelOutbox
        let peer: RecordingPeer

        init(
            maxMessageBytes: Int = 64, byteCapacity: Int = 1 << 20,
            firstMessageDeadline: (timeout: TimeAmount, reason: String)? = nil
        ) throws {
            let loop = EmbeddedEventLoop()
            channel = EmbeddedChannel(loop: loop)
            outbox = ChannelOutbox(byteCapacity: byteCapacity, eventLoop: loop)
            peer = RecordingPeer()
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
            try channel.pipeline.syncOperations.addHandler(
                WebSocketPeerHandler(
                    outbox: outbox, peer: peer,
                    configuration: WebSocketPeerConfiguration(
                        maxMessageBytes: maxMessageBytes, closeGrace: .seconds(2),
                        firstMessageDeadline: firstMessageDeadline)))
        }

        func receive(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) throws {
            try channel.writeInbound(WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text)))
        }

        func receive(_ opcode: WebSocketOpcode, bytes: [UInt8]) throws {
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(bytes: bytes)))
        }

        /// Every frame written so far: text as its string, a close as "close CODE reason".
        func written() throws -> [String] {
            var frames: [String] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) {
                var data = frame.unmaskedData
                switch frame.opcode {
                case .connectionClose:
                    let code = data.readInteger(as: UInt16.self) ?? 0
                    frames.append("close \(code) \(String(buffer: data))")
                case .pong: frames.append("pong \(String(buffer: data))")
                default: frames.append(String(buffer: data))
                }
            }
            return frames
        }
    }

    @Test("text messages reach the peer in order; fragments are joined; pings are answered between them")
    func messagesInOrder() throws {
        let harness = try Harness()
        try harness.receive(.text, "one")
        try harness.receive(.text, "tw", fin: false)
        try harness.receive(.ping, "p")
        try harness.receive(.continuation, "o")
        try harness.receive(.binary, "bin")
        #expect(harness.peer.texts == ["one", "two"])
        #expect(harness.peer.messages.last == .binary(ByteBuffer(string: "bin")))
        #expect(try harness.written() == ["pong p"])
    }

    @Test("a message larger than the limit, even in fragments, closes with 1009 and is not delivered")
    func tooLargeCloses() throws {
        let harness = try Harness(maxMessageBytes: 8)
        try harness.receive(.text, "12345", fin: false)
        try harness.receive(.continuation, "6789")
        harness.channel.embeddedEventLoop.run()
        #expect(harness.peer.messages.isEmpty)
        #expect(try harness.written() == ["close 1009 message larger than 8 bytes"])
    }

    @Test("a text message that is not UTF-8 closes with 1007")
    func invalidUTF8Closes() throws {
        let harness = try Harness()
        try harness.receive(.text, bytes: [0x7B, 0xC3, 0x28, 0x7D])
        harness.channel.embeddedEventLoop.run()
        #expect(harness.peer.messages.isEmpty)
        #expect(try harness.written() == ["close 1007 text message is not valid UTF-8"])
    }

    @Test("queued frames go out in one batch; a close follows them, later frames are refused, the peer's answer ends it")
    func closeAfterFrames() throws {
        let harness = try Harness()
        #expect(harness.outbox.send("a") == .queued)
        #expect(harness.outbox.send("b") == .queued)
        harness.outbox.close(code: .policyViolation, reason: "rate limit")
        #expect(harness.outbox.send("late") == .closed)
        harness.channel.embeddedEventLoop.run()
        #expect(try harness.written() == ["a", "b", "close 1008 rate limit"])
        // Data after our close is discarded; the peer's close completes the handshake.
        try harness.receive(.text, "ignored")
        try harness.receive(.connectionClose, bytes: [0x03, 0xF0])
        #expect(harness.peer.texts.isEmpty)
        #expect(!harness.channel.isActive)
        #expect(harness.peer.endings == 1)
        #expect(try harness.written().isEmpty)
    }

    @Test("a peer that does not answer our close is dropped after the grace")
    func closeGraceDrops() throws {
        let harness = try Harness()
        harness.outbox.close(code: .goingAway, reason: "shutdown")
        harness.channel.embeddedEventLoop.run()
        #expect(harness.channel.isActive)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!harness.channel.isActive)
        #expect(harness.peer.endings == 1)
    }

    @Test("the peer's close is answered with its code and the socket closed")
    func peerCloseAnswered() throws {
        let harness = try Harness()
        _ = harness.outbox.send("dropped: the peer is leaving")
        try harness.receive(.connectionClose, bytes: [0x03, 0xE9])
        harness.channel.embeddedEventLoop.run()
        #expect(try harness.written() == ["close 1001 "])
        #expect(!harness.channel.isActive)
        #expect(harness.outbox.send("late") == .closed)
    }

    @Test("no first message within the deadline closes with its reason; a message in time cancels it")
    func firstMessageDeadline() throws {
        let silent = try Harness(firstMessageDeadline: (.seconds(10), "no hello within 10 s"))
        silent.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try silent.written() == ["close 1008 no hello within 10 s"])
        let talker = try Harness(firstMessageDeadline: (.seconds(10), "no hello within 10 s"))
        try talker.receive(.text, "hello")
        talker.channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(try talker.written().isEmpty)
    }

    @Test("a graceful shutdown closes with 1001")
    func quiesceClosesGoingAway() throws {
        let harness = try Harness()
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        harness.channel.embeddedEventLoop.run()
        #expect(try harness.written() == ["close 1001 server shutting down"])
    }

    @Test("while the socket is not writable frames wait; past the byte bound the peer is full; kill closes at once")
    func slowPeer() throws {
        let harness = try Harness(byteCapacity: 10)
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        #expect(harness.outbox.send("123456") == .queued)
        harness.channel.embeddedEventLoop.run()
        #expect(try harness.written().isEmpty)
        #expect(harness.outbox.send("12345") == .full)
        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        #expect(try harness.written() == ["123456"])
        harness.outbox.kill()
        harness.channel.embeddedEventLoop.run()
        #expect(!harness.channel.isActive)
        #expect(harness.outbox.requestedClose == .tooSlow)
        #expect(harness.peer.endings == 1)
    }
}

/// Bytes written to the channel count as unsent until the socket took them (their writes completed).
@Suite("ChannelOutbox: bytes in NIO's buffer count")
struct ChannelOutboxInFlightTests {
    /// Holds every write's promise (as a socket that has not taken the bytes yet) until `completeAll()`.
    final class HeldWrites: ChannelOutboundHandler {
        typealias OutboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        var promises: [EventLoopPromise<Void>] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if let promise { promises.append(promise) }
            context.write(data, promise: nil)
        }

        func completeAll() {
            let held = promises
            promises = []
            for promise in held { promise.succeed() }
        }
    }

    @Test("past the byte bound the peer is full while its bytes sit in NIO's buffer; once taken, frames flow again")
    func inFlightBytesCount() throws {
        let harness = try WebSocketPeerHandlerTests.Harness(byteCapacity: 100)
        let held = HeldWrites()
        try harness.channel.pipeline.syncOperations.addHandler(held, position: .first)
        #expect(harness.outbox.send(String(repeating: "a", count: 60)) == .queued)
        harness.channel.embeddedEventLoop.run()
        #expect(held.promises.count == 1)
        #expect(harness.outbox.unsentBytes == 60)
        #expect(harness.outbox.send(String(repeating: "b", count: 50)) == .full)
        #expect(harness.outbox.send(String(repeating: "c", count: 40)) == .queued)
        #expect(harness.outbox.unsentBytes == 100)
        #expect(harness.outbox.send("d") == .full)
        harness.channel.embeddedEventLoop.run()
        held.completeAll()
        harness.channel.embeddedEventLoop.run()
        #expect(harness.outbox.unsentBytes == 0)
        #expect(harness.outbox.send(String(repeating: "e", count: 90)) == .queued)
    }
}
