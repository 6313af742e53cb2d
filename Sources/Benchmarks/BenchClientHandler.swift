import Foundation
import NIOCore
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// One generator connection, on its event loop: performs the WebSocket upgrade, writes pre-encoded frames
/// (as fast as the socket takes them, or at a fixed rate), and counts received benchmark frames by finding
/// `"counter":` in the frame bytes instead of parsing JSON. It keeps a few frames whole for verification and,
/// when asked, the receive time of every frame for latency.
final class BenchClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the connection does with what it receives.
    struct Role {
        var isReceiver: Bool
        var recordLatency: Bool
        var sampleLimit: Int
        /// Count the keys in each pushed `client_list` (see `listedKeys`).
        var watchClientList = false
    }

    /// Keys in the latest `client_list` received (when `role.watchClientList`).
    private(set) var listedKeys = 0

    private let host: String
    private let tally: DeliveryTally
    private let upgraded: EventLoopPromise<Void>
    private let role: Role
    private var context: ChannelHandlerContext?
    private var isUpgraded = false
    private var pending: ByteBuffer?
    private var unreportedDeliveries = 0

    /// (counter, receive time in ns) per received benchmark frame, when recording latency.
    private(set) var receipts: [(counter: UInt64, nanos: UInt64)] = []
    /// Whole received benchmark frames kept for verification.
    private(set) var samples: [String] = []

    private var frames: [ByteBuffer] = []
    private var nextFrame = 0
    private var sendTimes: [UInt64] = []
    private var paced: (start: UInt64, perSecond: Double)?
    private var blasting = false

    init(host: String, tally: DeliveryTally, upgraded: EventLoopPromise<Void>, role: Role) {
        self.host = host
        self.tally = tally
        self.upgraded = upgraded
        self.role = role
        if role.recordLatency { receipts.reserveCapacity(1 << 16) }
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        let request = WebSocketWire.upgradeRequest(host: host)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !isUpgraded { upgraded.fail(BenchError.connectFailed("closed before the upgrade")) }
        tally.closed.add(1, ordering: .relaxed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !isUpgraded { upgraded.fail(error) }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending!.writeBuffer(&incoming)
        }
        if !isUpgraded, !finishUpgrade(context: context) { return }
        parseFrames(context: context)
        if let buffer = pending, buffer.readableBytes == 0 { pending = nil }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unreportedDeliveries > 0 {
            tally.deliveries.add(unreportedDeliveries, ordering: .relaxed)
            if role.isReceiver { tally.receiverDeliveries.add(unreportedDeliveries, ordering: .relaxed) }
            unreportedDeliveries = 0
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if blasting, context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Sending

    /// Writes one frame now (e.g. the hello).
    func send(_ frame: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Writes `frames` as fast as the socket accepts them (pausing while the channel is not writable).
    func blast(_ frames: [ByteBuffer]) {
        self.frames = frames
        nextFrame = 0
        blasting = true
        pump()
    }

    /// Writes `frames` at `perSecond`, checking every millisecond how many are due; records each send time.
    func pace(_ frames: [ByteBuffer], perSecond: Double) {
        self.frames = frames
        nextFrame = 0
        sendTimes = [UInt64](repeating: 0, count: frames.count)
        paced = (Self.now(), perSecond)
        tick()
    }

    /// Send time (ns) of each paced frame, by index.
    var sentAt: [UInt64] { sendTimes }

    private func pump() {
        guard let context, blasting else { return }
        var written = 0
        while nextFrame < frames.count, written < 256, context.channel.isWritable {
            context.write(wrapOutboundOut(frames[nextFrame]), promise: nil)
            nextFrame += 1
            written += 1
        }
        context.flush()
        tally.sent.add(written, ordering: .relaxed)
        if nextFrame >= frames.count {
            blasting = false
            frames = []
        } else if context.channel.isWritable {
            context.eventLoop.assumeIsolated().execute { self.pump() }
        }
    }

    private func tick() {
        guard let context, let paced else { return }
        let now = Self.now()
        let due = min(frames.count, Int(Double(now - paced.start) * paced.perSecond / 1e9) + 1)
        var written = 0
        while nextFrame < due {
            sendTimes[nextFrame] = Self.now()
            context.write(wrapOutboundOut(frames[nextFrame]), promise: nil)
            nextFrame += 1
            written += 1
        }
        if written > 0 {
            context.flush()
            tally.sent.add(written, ordering: .relaxed)
        }
        if nextFrame < frames.count {
            context.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(500)) { self.tick() }
        } else {
            self.paced = nil
            frames = []
        }
    }

    // MARK: Receiving

    private func finishUpgrade(context: ChannelHandlerContext) -> Bool {
        guard var buffer = pending else { return false }
        let view = buffer.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.readableBytes > 16384 { context.close(promise: nil) }
            return false
        }
        let head = buffer.readString(length: end.upperBound - view.startIndex) ?? ""
        pending = buffer
        guard head.hasPrefix("HTTP/1.1 101") else {
            upgraded.fail(BenchError.connectFailed(String(head.prefix(200))))
            context.close(promise: nil)
            return false
        }
        isUpgraded = true
        upgraded.succeed()
        return true
    }

    private static let marker = Array("\"counter\":".utf8)

    private func parseFrames(context: ChannelHandlerContext) {
        guard var buffer = pending else { return }
        while let header = WebSocketWire.header(in: buffer),
            buffer.readableBytes >= header.headerLength + header.payloadLength
        {
            let payloadStart = buffer.readerIndex + header.headerLength
            switch header.opcode {
            case 0, 1:
                received(
                    buffer, at: payloadStart, length: header.payloadLength, whole: header.fin && header.opcode == 1)
            case 8:
                let payload = buffer.getSlice(at: payloadStart, length: min(header.payloadLength, 2)) ?? ByteBuffer()
                context.writeAndFlush(
                    wrapOutboundOut(WebSocketWire.clientFrame(payload.readableBytesView, opcode: 8)), promise: nil)
                context.close(promise: nil)
            case 9:
                let payload = buffer.getSlice(at: payloadStart, length: header.payloadLength) ?? ByteBuffer()
                context.writeAndFlush(
                    wrapOutboundOut(WebSocketWire.clientFrame(payload.readableBytesView, opcode: 10)), promise: nil)
            default:
                break
            }
            buffer.moveReaderIndex(forwardBy: header.headerLength + header.payloadLength)
        }
        if buffer.readerIndex > 65536 { buffer.discardReadBytes() }
        pending = buffer
    }

    private func received(_ buffer: ByteBuffer, at start: Int, length: Int, whole: Bool) {
        let offset = start - buffer.readerIndex
        let counter: UInt64? = buffer.withUnsafeReadableBytes { raw -> UInt64? in
            guard let base = raw.baseAddress else { return nil }
            guard let found = Self.find(Self.marker, in: UnsafeRawBufferPointer(start: base + offset, count: length))
            else { return nil }
            var value: UInt64 = 0
            var index = found + Self.marker.count
            let bytes = UnsafeRawBufferPointer(start: base + offset, count: length)
            while index < length, bytes[index] >= 48, bytes[index] <= 57 {
                value = value &* 10 &+ UInt64(bytes[index] - 48)
                index += 1
            }
            return value
        }
        if counter == nil, role.watchClientList, whole, let text = buffer.getString(at: start, length: length),
            text.contains("\"client_list\"")
        {
            listedKeys = text.components(separatedBy: "BEGIN PUBLIC KEY").count - 1
        }
        guard let counter, counter % MessageFactory.counterStride != 0 else { return }
        unreportedDeliveries += 1
        if role.recordLatency { receipts.append((counter, Self.now())) }
        if whole, samples.count < role.sampleLimit, let text = buffer.getString(at: start, length: length) {
            samples.append(text)
        }
    }

    /// Offset of the first occurrence of `needle` in `haystack` (memchr for its first byte, then compare).
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
        guard let base = haystack.baseAddress, let first = needle.first, haystack.count >= needle.count else {
            return nil
        }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            guard let hit = memchr(base + start, Int32(first), last - start + 1) else { return nil }
            let position = base.distance(to: UnsafeRawPointer(hit))
            if needle.withUnsafeBytes({ memcmp(base + position, $0.baseAddress!, needle.count) }) == 0 {
                return position
            }
            start = position + 1
        }
        return nil
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
