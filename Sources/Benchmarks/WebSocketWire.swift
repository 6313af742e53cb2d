public import NIOCore

/// The few RFC 6455 pieces the load generator needs, written by hand so that the hot path is a memory copy:
/// client frames are pre-encoded once (masked with the all-zero key, which leaves the payload as is and is
/// valid RFC 6455), server frames are split without copying the payload.
public enum WebSocketWire {
    /// The HTTP/1.1 upgrade request for `host:port`, path `/`.
    static func upgradeRequest(host: String) -> String {
        "GET / HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    /// A complete masked client frame (FIN set) carrying `payload` with `opcode` (1 text, 8 close, 10 pong).
    public static func clientFrame(_ payload: some Collection<UInt8>, opcode: UInt8 = 1) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: payload.count + 14)
        buffer.writeInteger(0x80 | opcode)
        if payload.count < 126 {
            buffer.writeInteger(UInt8(0x80 | payload.count))
        } else if payload.count <= 0xFFFF {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(payload.count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeInteger(UInt32(0))  // masking key 0: the masked payload equals the payload
        buffer.writeBytes(payload)
        return buffer
    }

    /// An unmasked server frame (for the broadcast endpoint).
    static func serverFrameHeader(payloadLength: Int, opcode: UInt8 = 1, into buffer: inout ByteBuffer) {
        buffer.writeInteger(0x80 | opcode)
        if payloadLength < 126 {
            buffer.writeInteger(UInt8(payloadLength))
        } else if payloadLength <= 0xFFFF {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payloadLength))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payloadLength))
        }
    }

    /// One parsed frame header: where the payload sits in the buffer.
    struct FrameHeader {
        var fin: Bool
        var opcode: UInt8
        var maskKey: UInt32?
        var headerLength: Int
        var payloadLength: Int
    }

    /// Parses the frame header at the reader index, or nil if more bytes are needed.
    static func header(in buffer: ByteBuffer) -> FrameHeader? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 2, let first = buffer.getInteger(at: start, as: UInt8.self),
            let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(extended)
            offset = 4
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            length = Int(truncatingIfNeeded: extended)
            offset = 10
        }
        var mask: UInt32?
        if second & 0x80 != 0 {
            guard let key = buffer.getInteger(at: start + offset, as: UInt32.self) else { return nil }
            mask = key
            offset += 4
        }
        return FrameHeader(
            fin: first & 0x80 != 0, opcode: first & 0x0F, maskKey: mask, headerLength: offset, payloadLength: length)
    }
}
