import NIOCore
import Server

/// The multipart upload parser. Input layout: one flags byte, the Content-Type header value up to the first LF,
/// then the body. The flags pick the chunk sizes (a small PRNG seeded by the low 7 bits; 0 means one byte at a
/// time) and, with the high bit, a 64-byte header cap instead of the default.
///
/// Invariant: the events (bodies joined per part) and the final error are the same whether the body arrives in
/// one chunk or in the fuzzer's chunks; every `next()` call makes progress, so draining stays linear.
enum MultipartHarness {
    /// An event with body chunks joined, so chunkings can be compared.
    enum Outcome: Equatable {
        case headers(MultipartPartHeaders)
        case body([UInt8])
        case partEnd
        case end
        case failed(MultipartError)
    }

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let flags = input.first else { return }
        let rest = input.dropFirst()
        guard let newline = rest.firstIndex(of: 0x0A) else { return }
        let contentType = String(decoding: rest[..<newline], as: UTF8.self)
        let body = Array(rest[(newline + 1)...])
        let maxHeaderBytes = flags & 0x80 != 0 ? 64 : MultipartParser.defaultMaxHeaderBytes
        _ = MultipartParser.isFormData(contentType: contentType)
        guard let parser = try? MultipartParser(contentType: contentType, maxHeaderBytes: maxHeaderBytes) else {
            return
        }
        let whole = try outcomes(parser, body: body, chunkSizes: { _ in body.count })
        var state = UInt32(flags & 0x7F)
        let chunked = try outcomes(parser, body: body) { _ in
            if state == 0 { return 1 }
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return 1 + Int(state % 97)
        }
        guard whole == chunked else { throw FuzzFinding(.multipart, "chunking changed the parse: \(chunked)") }
    }

    /// Feeds `body` in chunks, draining after each, then finishes and drains.
    static func outcomes(_ start: MultipartParser, body: [UInt8], chunkSizes: (Int) -> Int) throws(FuzzFinding)
        -> [Outcome]
    {
        var parser = start
        var result: [Outcome] = []
        var offset = 0
        var chunkIndex = 0
        func drain() throws(FuzzFinding) -> Bool {
            // Every call either returns an event, returns nil or throws; an event without progress would loop.
            var steps = 0
            while true {
                steps += 1
                guard steps <= body.count + 16 else { throw FuzzFinding(.multipart, "next() stopped making progress") }
                let event: MultipartEvent?
                do {
                    event = try parser.next()
                } catch {
                    result.append(.failed(error))
                    return false
                }
                guard let event else { return true }
                switch event {
                case .partHeaders(let headers): result.append(.headers(headers))
                case .body(let chunk):
                    guard chunk.readableBytes > 0 else { throw FuzzFinding(.multipart, "empty body event") }
                    if case .body(let previous)? = result.last {
                        result[result.count - 1] = .body(previous + Array(buffer: chunk))
                    } else {
                        result.append(.body(Array(buffer: chunk)))
                    }
                case .partEnd: result.append(.partEnd)
                case .end: result.append(.end)
                }
            }
        }
        while offset < body.count {
            let size = max(1, min(chunkSizes(chunkIndex), body.count - offset))
            parser.append(Array(body[offset..<(offset + size)]))
            offset += size
            chunkIndex += 1
            guard try drain() else { return result }
        }
        parser.finish()
        _ = try drain()
        return result
    }
}
