public import NIOCore

/// A streaming `multipart/form-data` parser (RFC 7578 on RFC 2046 framing).
///
/// Feed input with ``append(_:)-(ByteBuffer)`` in chunks of any size, then drain events with ``next()`` until
/// it returns nil (it needs more input); call ``finish()`` once the input has ended and drain again. Memory
/// stays bounded by the boundary length plus the header-block cap (plus whatever the caller appended but has
/// not drained yet) whatever the size of the parts, and the work is linear in the input size.
///
/// ```swift
/// var parser = try MultipartParser(contentType: contentTypeHeader)
/// for try await chunk in body {
///     parser.append(chunk)
///     while let event = try parser.next() { handle(event) }
/// }
/// parser.finish()
/// while let event = try parser.next() { handle(event) }
/// ```
/// After an error every later ``next()`` rethrows it. Body chunks are slices of the input (no copy).
public struct MultipartParser: Sendable {
    /// Default cap on one part's header block (all header lines plus the blank line), in bytes.
    public static let defaultMaxHeaderBytes = 16 * 1024

    private enum State: Sendable {
        /// Skipping the preamble, looking for the first delimiter.
        case preamble
        /// Just after `--boundary`: expecting `--` (close) or transport padding then CRLF.
        case afterDelimiter
        /// Accumulating a part's header block.
        case headers
        /// Inside a part body.
        case body
        /// The close delimiter was seen; everything else is epilogue and ignored.
        case epilogue
        case failed(MultipartError)
    }

    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let dash: UInt8 = 0x2D

    /// `CRLF--boundary`. The message is parsed as if preceded by CRLF, so a first boundary at offset 0 matches.
    private let delimiter: [UInt8]
    private let maxHeaderBytes: Int
    /// Unconsumed input; indices below are relative to its reader index.
    private var buffer: ByteBuffer
    private var state: State = .preamble
    private var inputEnded = false
    /// In `.headers`: how far the buffer was already searched for the blank line (avoids rescanning).
    private var headerScanOffset = 0

    /// Creates a parser for `boundary` (the raw parameter value, 1–70 RFC 2046 `bchars`, not ending in space).
    public init(boundary: String, maxHeaderBytes: Int = MultipartParser.defaultMaxHeaderBytes) throws(MultipartError) {
        let bytes = Array(boundary.utf8)
        guard Self.isValidBoundary(bytes) else { throw .invalidBoundary }
        self.delimiter = [Self.cr, Self.lf, Self.dash, Self.dash] + bytes
        self.maxHeaderBytes = max(4, maxHeaderBytes)
        self.buffer = ByteBuffer(bytes: [Self.cr, Self.lf])
    }

    /// Creates a parser from a request's Content-Type header value (must be `multipart/form-data; boundary=...`).
    public init(contentType: String, maxHeaderBytes: Int = MultipartParser.defaultMaxHeaderBytes) throws(MultipartError)
    {
        try self.init(boundary: Self.boundary(fromContentType: contentType), maxHeaderBytes: maxHeaderBytes)
    }

    /// Whether a Content-Type header value names `multipart/form-data` (parameters are not checked).
    public static func isFormData(contentType: String) -> Bool {
        guard let parsed = try? HeaderParameters.parse(Array(contentType.utf8)) else { return false }
        return String(decoding: parsed.value, as: UTF8.self).lowercased() == "multipart/form-data"
    }

    /// Extracts and validates the `boundary` parameter (quoted or not) of a `multipart/form-data` Content-Type.
    public static func boundary(fromContentType contentType: String) throws(MultipartError) -> String {
        guard let parsed = try? HeaderParameters.parse(Array(contentType.utf8)) else { throw .invalidBoundary }
        guard String(decoding: parsed.value, as: UTF8.self).lowercased() == "multipart/form-data" else {
            throw .notFormData
        }
        guard let boundary = parsed.parameter("boundary") else { throw .missingBoundary }
        guard isValidBoundary(boundary) else { throw .invalidBoundary }
        return String(decoding: boundary, as: UTF8.self)
    }

    /// RFC 2046: `bchars` = DIGIT / ALPHA / `'()+_,-./:=?` / space; 1–70 of them, the last not a space.
    static func isValidBoundary(_ bytes: [UInt8]) -> Bool {
        guard (1...70).contains(bytes.count), bytes.last != 0x20 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
            case 0x27, 0x28, 0x29, 0x2B, 0x5F, 0x2C, 0x2D, 0x2E, 0x2F, 0x3A, 0x3D, 0x3F, 0x20: true
            default: false
            }
        }
    }

    /// Appends input. Drain ``next()`` before appending more to keep memory bounded. Input after
    /// ``finish()``, after the closing boundary, or after an error is ignored.
    public mutating func append(_ chunk: ByteBuffer) {
        guard !self.inputEnded, chunk.readableBytes > 0 else { return }
        switch self.state {
        case .epilogue, .failed:
            return
        case .preamble, .afterDelimiter, .headers, .body:
            break
        }
        if self.buffer.readableBytes == 0 {
            self.buffer = chunk
        } else {
            // Compacting first keeps the copy (if the storage is shared with emitted slices) to the unread bytes.
            self.buffer.discardReadBytes()
            self.buffer.writeImmutableBuffer(chunk)
        }
    }

    /// Appends input given as bytes. See ``append(_:)-(ByteBuffer)``.
    public mutating func append(_ bytes: [UInt8]) {
        self.append(ByteBuffer(bytes: bytes))
    }

    /// Bytes held back awaiting more input (a possible partial boundary, or an incomplete header block).
    public var bufferedByteCount: Int {
        self.buffer.readableBytes
    }

    /// Marks the end of input: from now on ``next()`` reports ``MultipartError/unexpectedEnd`` instead of
    /// waiting when the message is incomplete.
    public mutating func finish() {
        self.inputEnded = true
    }

    /// Returns the next event, or nil when more input is needed (or the message ended and the input is done).
    public mutating func next() throws(MultipartError) -> MultipartEvent? {
        do {
            return try self.step()
        } catch {
            self.state = .failed(error)
            self.buffer = ByteBuffer()
            throw error
        }
    }

    private mutating func step() throws(MultipartError) -> MultipartEvent? {
        while true {
            switch self.state {
            case .failed(let error):
                throw error

            case .epilogue:
                self.buffer.moveReaderIndex(forwardBy: self.buffer.readableBytes)
                return nil

            case .preamble:
                if let index = self.findDelimiter() {
                    self.buffer.moveReaderIndex(forwardBy: index + self.delimiter.count)
                    self.state = .afterDelimiter
                    continue
                }
                // Keep only what could be the start of a delimiter.
                let discard = self.buffer.readableBytes - (self.delimiter.count - 1)
                if discard > 0 { self.buffer.moveReaderIndex(forwardBy: discard) }
                if self.inputEnded { throw .unexpectedEnd }
                return nil

            case .body:
                if let index = self.findDelimiter() {
                    if index > 0 {
                        return .body(self.buffer.readSlice(length: index)!)
                    }
                    self.buffer.moveReaderIndex(forwardBy: self.delimiter.count)
                    self.state = .afterDelimiter
                    return .partEnd
                }
                let safe = self.buffer.readableBytes - (self.delimiter.count - 1)
                if safe > 0 {
                    return .body(self.buffer.readSlice(length: safe)!)
                }
                if self.inputEnded { throw .unexpectedEnd }
                return nil

            case .afterDelimiter:
                guard let first = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self) else {
                    if self.inputEnded { throw .unexpectedEnd }
                    return nil
                }
                if first == 0x20 || first == 0x09 {  // transport padding
                    self.buffer.moveReaderIndex(forwardBy: 1)
                    continue
                }
                guard first == Self.dash || first == Self.cr else { throw .malformedDelimiter }
                guard let second = self.buffer.getInteger(at: self.buffer.readerIndex + 1, as: UInt8.self) else {
                    if self.inputEnded { throw .unexpectedEnd }
                    return nil
                }
                if first == Self.dash, second == Self.dash {
                    self.buffer = ByteBuffer()
                    self.state = .epilogue
                    return .end
                }
                guard first == Self.cr, second == Self.lf else { throw .malformedDelimiter }
                self.buffer.moveReaderIndex(forwardBy: 2)
                self.headerScanOffset = 0
                self.state = .headers
                continue

            case .headers:
                let view = self.buffer.readableBytesView
                // A blank line straight away: a part without headers.
                if view.count >= 2, view[view.startIndex] == Self.cr, view[view.startIndex + 1] == Self.lf {
                    self.buffer.moveReaderIndex(forwardBy: 2)
                    self.state = .body
                    return .partHeaders(MultipartPartHeaders())
                }
                if let end = self.findHeaderTerminator() {
                    guard end + 4 <= self.maxHeaderBytes else { throw .headersTooLarge(limit: self.maxHeaderBytes) }
                    let block = self.buffer.readBytes(length: end)!
                    self.buffer.moveReaderIndex(forwardBy: 4)
                    self.state = .body
                    return .partHeaders(try Self.parseHeaderBlock(block))
                }
                if self.buffer.readableBytes >= self.maxHeaderBytes {
                    throw .headersTooLarge(limit: self.maxHeaderBytes)
                }
                if self.inputEnded { throw .unexpectedEnd }
                return nil
            }
        }
    }

    /// Offset of the first complete delimiter in the unread bytes, if any.
    private func findDelimiter() -> Int? {
        self.buffer.withUnsafeReadableBytes { bytes -> Int? in
            self.delimiter.withUnsafeBufferPointer { delimiter -> Int? in
                let length = delimiter.count
                guard bytes.count >= length else { return nil }
                let first = delimiter[0]
                var index = 0
                let last = bytes.count - length
                while index <= last {
                    if bytes[index] == first {
                        var matched = 1
                        while matched < length, bytes[index + matched] == delimiter[matched] { matched += 1 }
                        if matched == length { return index }
                    }
                    index += 1
                }
                return nil
            }
        }
    }

    /// Offset of the `CRLFCRLF` ending the header block, searching only bytes not searched before.
    private mutating func findHeaderTerminator() -> Int? {
        let start = max(0, self.headerScanOffset - 3)
        let found = self.buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= 4 else { return nil }
            var index = start
            while index + 3 < bytes.count {
                if bytes[index] == Self.cr, bytes[index + 1] == Self.lf, bytes[index + 2] == Self.cr,
                    bytes[index + 3] == Self.lf
                {
                    return index
                }
                index += 1
            }
            return nil
        }
        self.headerScanOffset = self.buffer.readableBytes
        return found
    }

    /// Parses `Name: value` lines separated by CRLF (obsolete line folding is unfolded). A stray CR or LF, a
    /// line without a colon, or an empty or non-token name is malformed.
    static func parseHeaderBlock(_ block: [UInt8]) throws(MultipartError) -> MultipartPartHeaders {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < block.count {
            let byte = block[index]
            if byte == cr {
                guard index + 1 < block.count, block[index + 1] == lf else { throw .malformedHeaders }
                lines.append(current)
                current = []
                index += 2
                continue
            }
            guard byte != lf else { throw .malformedHeaders }
            current.append(byte)
            index += 1
        }
        lines.append(current)

        var fields: [(name: String, value: [UInt8])] = []
        for line in lines {
            if let first = line.first, first == 0x20 || first == 0x09 {
                guard !fields.isEmpty else { throw .malformedHeaders }
                fields[fields.count - 1].value.append(0x20)
                fields[fields.count - 1].value.append(contentsOf: trimmedWhitespace(line[...]))
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > 0 else { throw .malformedHeaders }
            let name = line[0..<colon]
            guard name.allSatisfy(isTokenByte) else { throw .malformedHeaders }
            fields.append(
                (
                    name: String(decoding: name, as: UTF8.self).lowercased(),
                    value: trimmedWhitespace(line[(colon + 1)...])
                ))
        }

        var headers = MultipartPartHeaders()
        if let disposition = fields.first(where: { $0.name == "content-disposition" }) {
            guard let parsed = try? HeaderParameters.parse(disposition.value) else { throw .malformedHeaders }
            headers.name = parsed.parameter("name").map { String(decoding: $0, as: UTF8.self) }
            if let extended = parsed.parameter("filename*"),
                let decoded = HeaderParameters.decodeExtendedValue(extended)
            {
                headers.filename = decoded
            } else {
                headers.filename = parsed.parameter("filename").map { String(decoding: $0, as: UTF8.self) }
            }
        }
        if let contentType = fields.first(where: { $0.name == "content-type" }) {
            headers.contentType = String(decoding: contentType.value, as: UTF8.self)
        }
        return headers
    }

    private static func trimmedWhitespace(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        var lower = slice.startIndex
        var upper = slice.endIndex
        while lower < upper, slice[lower] == 0x20 || slice[lower] == 0x09 { lower += 1 }
        while upper > lower, slice[upper - 1] == 0x20 || slice[upper - 1] == 0x09 { upper -= 1 }
        return Array(slice[lower..<upper])
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }
}
