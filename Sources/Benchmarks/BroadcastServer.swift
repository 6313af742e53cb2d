import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The trivial endpoint that measures the load generator's ceiling: a WebSocket server on swift-nio that
/// forwards every text frame, unparsed, to every other connection. It only serves olaf-bench's own generator
/// (which always sends the RFC 6455 sample key, so the accept value is a constant); anything else is refused.
public enum BroadcastServer {
    /// Listens on 127.0.0.1:`port` until the process is terminated.
    public static func run(port: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let registry = ChannelRegistry()
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BroadcastHandler(registry: registry))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        print("broadcast endpoint listening on 127.0.0.1:\(port)")
        try await server.closeFuture.get()
    }
}

/// Every upgraded connection of the broadcast endpoint.
final class ChannelRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) { channels.withLock { $0[ObjectIdentifier(channel)] = channel } }
    func remove(_ channel: any Channel) { _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
    func others(than channel: any Channel) -> [any Channel] {
        channels.withLock { all in all.values.filter { $0 !== channel } }
    }
}

/// One broadcast-endpoint connection: answers the upgrade, then re-frames the text frames of each read batch
/// (unmasked) into one buffer and writes it to every other connection.
final class BroadcastHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let acceptForSampleKey =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

    private let registry: ChannelRegistry
    private var pending: ByteBuffer?
    private var upgraded = false
    private var outgoing = ByteBuffer()

    init(registry: ChannelRegistry) { self.registry = registry }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil { pending = incoming } else { pending!.writeBuffer(&incoming) }
        guard var buffer = pending else { return }
        if !upgraded {
            guard let end = buffer.readableBytesView.firstRange(of: [13, 10, 13, 10]) else { return }
            let head = buffer.readString(length: end.upperBound - buffer.readerIndex) ?? ""
            guard head.contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==") else {
                context.writeAndFlush(
                    wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n")), promise: nil)
                context.close(mode: .output, promise: nil)
                return
            }
            upgraded = true
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.acceptForSampleKey)), promise: nil)
            registry.add(context.channel)
        }
        while let header = WebSocketWire.header(in: buffer),
            buffer.readableBytes >= header.headerLength + header.payloadLength
        {
            let payloadStart = buffer.readerIndex + header.headerLength
            if header.opcode == 1 || header.opcode == 0,
                var payload = buffer.getSlice(at: payloadStart, length: header.payloadLength)
            {
                if let key = header.maskKey, key != 0 { Self.unmask(&payload, key: key) }
                WebSocketWire.serverFrameHeader(
                    payloadLength: header.payloadLength, opcode: header.opcode, into: &outgoing)
                outgoing.writeBuffer(&payload)
            } else if header.opcode == 8 {
                context.close(promise: nil)
            }
            buffer.moveReaderIndex(forwardBy: header.headerLength + header.payloadLength)
        }
        pending = buffer.readableBytes == 0 ? nil : buffer
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if outgoing.readableBytes > 0 {
            let batch = outgoing
            outgoing = context.channel.allocator.buffer(capacity: 4096)
            for channel in registry.others(than: context.channel) {
                channel.writeAndFlush(batch, promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    private static func unmask(_ payload: inout ByteBuffer, key: UInt32) {
        let mask = withUnsafeBytes(of: key.bigEndian) { Array($0) }
        payload.withUnsafeMutableReadableBytes { bytes in
            for index in bytes.indices { bytes[index] ^= mask[index % 4] }
        }
    }
}
