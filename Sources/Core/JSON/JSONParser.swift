/// A strict RFC 8259 JSON parser for untrusted input.
///
/// - Whitespace is only space, tab, CR and LF; a byte order mark is refused.
/// - Numbers follow the JSON grammar exactly and keep their source text.
/// - Strings must be valid UTF-8 without raw control characters; escapes are decoded exactly
///   (no Unicode normalisation) and unpaired surrogate escapes are refused.
/// - Duplicate object keys are refused (compared by exact Unicode scalars).
/// - All `JSONLimits` are enforced; nesting is handled with an explicit stack, never recursion.
public enum JSONParser {
    /// Parses one JSON value from UTF-8 `bytes`, which may only be surrounded by whitespace.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue {
        guard bytes.count <= limits.maxTotalBytes else {
            throw .inputTooLarge(limit: limits.maxTotalBytes)
        }
        let result =
            bytes.withContiguousStorageIfAvailable { buffer in
                parse(buffer: buffer, limits: limits)
            }
            ?? Array(bytes).withUnsafeBufferPointer { buffer in
                parse(buffer: buffer, limits: limits)
            }
        return try result.get()
    }

    /// Parses one JSON value from the UTF-8 of `text`.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        try parse(text.utf8, limits: limits)
    }

    private static func parse(
        buffer: UnsafeBufferPointer<UInt8>,
        limits: JSONLimits
    ) -> Result<JSONValue, JSONError> {
        var parser = JSONByteParser(bytes: buffer, limits: limits)
        do throws(JSONError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

/// ASCII bytes the parser looks at.
private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
}

/// The parsing state over one contiguous input buffer.
private struct JSONByteParser {
    /// What kind of container is open at each nesting level.
    private enum OpenContainer {
        case array
        case object
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var pos = 0
    /// Reused buffer for decoding strings that contain escapes.
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        guard pos < bytes.count else { throw .empty }
        let value = try parseValue()
        skipWhitespace()
        guard pos == bytes.count else { throw .trailingData(offset: pos) }
        return value
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    /// Parses a value iteratively: open containers live on explicit stacks, so the call depth
    /// stays constant whatever `maxDepth` is. The depth limit is checked before each container opens.
    private mutating func parseValue() throws(JSONError) -> JSONValue {
        var frames: [OpenContainer] = []
        var arrays: [[JSONValue]] = []
        var objects: [JSONObject] = []
        var pendingKeys: [String] = []
        let end = bytes.count

        nextValue: while true {
            skipWhitespace()
            guard pos < end else { throw .unexpectedEnd }
            var value: JSONValue
            let byte = bytes[pos]
            switch byte {
            case ASCII.openBrace:
                guard frames.count < limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth) }
                pos += 1
                skipWhitespace()
                guard pos < end else { throw .unexpectedEnd }
                if bytes[pos] == ASCII.closeBrace {
                    pos += 1
                    value = .object(JSONObject())
                } else {
                    let key = try parseMemberKey()
                    frames.append(.object)
                    objects.append(JSONObject())
                    pendingKeys.append(key)
                    continue nextValue
                }
            case ASCII.openBracket:
                guard frames.count < limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth) }
                pos += 1
                skipWhitespace()
                guard pos < end else { throw .unexpectedEnd }
                if bytes[pos] == ASCII.closeBracket {
                    pos += 1
                    value = .array([])
                } else {
                    frames.append(.array)
                    arrays.append([])
                    continue nextValue
                }
            case ASCII.quote:
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try consumeLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try consumeLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try consumeLiteral("null")
                value = .null
            case ASCII.minus, ASCII.zero...ASCII.nine:
                value = .number(try parseNumber())
            case ASCII.plus, ASCII.dot:
                throw .invalidNumber(offset: pos)
            default:
                throw .unexpectedByte(byte, offset: pos)
            }

            // A value is complete: add it to the innermost container, closing containers as they end.
            while let frame = frames.last {
                skipWhitespace()
                switch frame {
                case .array:
                    let top = arrays.count - 1
                    guard arrays[top].count < limits.maxContainerCount else {
                        throw .tooManyElements(limit: limits.maxContainerCount)
                    }
                    arrays[top].append(value)
                    guard pos < end else { throw .unexpectedEnd }
                    let separator = bytes[pos]
                    if separator == ASCII.comma {
                        pos += 1
                        continue nextValue
                    }
                    guard separator == ASCII.closeBracket else {
                        throw .unexpectedByte(separator, offset: pos)
                    }
                    pos += 1
                    frames.removeLast()
                    value = .array(arrays.removeLast())
                case .object:
                    let top = objects.count - 1
                    guard objects[top].count < limits.maxContainerCount else {
                        throw .tooManyElements(limit: limits.maxContainerCount)
                    }
                    objects[top].appendAssumingNewKey(pendingKeys.removeLast(), value)
                    guard pos < end else { throw .unexpectedEnd }
                    let separator = bytes[pos]
                    if separator == ASCII.comma {
                        pos += 1
                        skipWhitespace()
                        let key = try parseMemberKey()
                        if objects[top].containsKey(key) { throw .duplicateKey(key) }
                        pendingKeys.append(key)
                        continue nextValue
                    }
                    guard separator == ASCII.closeBrace else {
                        throw .unexpectedByte(separator, offset: pos)
                    }
                    pos += 1
                    frames.removeLast()
                    value = .object(objects.removeLast())
                }
            }
            return value
        }
    }

    /// Parses `"key"` followed by optional whitespace and the ':' separator.
    private mutating func parseMemberKey() throws(JSONError) -> String {
        guard pos < bytes.count else { throw .unexpectedEnd }
        guard bytes[pos] == ASCII.quote else { throw .unexpectedByte(bytes[pos], offset: pos) }
        let key = try parseString()
        skipWhitespace()
        guard pos < bytes.count else { throw .unexpectedEnd }
        guard bytes[pos] == ASCII.colon else { throw .unexpectedByte(bytes[pos], offset: pos) }
        pos += 1
        return key
    }

    private mutating func consumeLiteral(_ literal: StaticString) throws(JSONError) {
        let expected = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount {
            guard pos < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[pos]
            guard byte == expected[index] else { throw .unexpectedByte(byte, offset: pos) }
            pos += 1
        }
    }

    @inline(__always)
    private func isDigit(at position: Int) -> Bool {
        position < bytes.count && bytes[position] >= ASCII.zero && bytes[position] <= ASCII.nine
    }

    /// Matches `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns the exact text.
    private mutating func parseNumber() throws(JSONError) -> String {
        let start = pos
        if bytes[pos] == ASCII.minus { pos += 1 }
        guard isDigit(at: pos) else { throw .invalidNumber(offset: start) }
        if bytes[pos] == ASCII.zero {
            pos += 1
            // "01" is refused here rather than read as "0" followed by trailing data.
            if isDigit(at: pos) { throw .invalidNumber(offset: start) }
        } else {
            repeat { pos += 1 } while isDigit(at: pos)
        }
        if pos < bytes.count, bytes[pos] == ASCII.dot {
            pos += 1
            guard isDigit(at: pos) else { throw .invalidNumber(offset: start) }
            repeat { pos += 1 } while isDigit(at: pos)
        }
        if pos < bytes.count, bytes[pos] == ASCII.lowerE || bytes[pos] == ASCII.upperE {
            pos += 1
            if pos < bytes.count, bytes[pos] == ASCII.plus || bytes[pos] == ASCII.minus { pos += 1 }
            guard isDigit(at: pos) else { throw .invalidNumber(offset: start) }
            repeat { pos += 1 } while isDigit(at: pos)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    }

    /// Parses a string whose opening quote is at `pos`. Runs without escapes are validated in
    /// place and converted with one slice conversion; only escapes go through `scratch`.
    private mutating func parseString() throws(JSONError) -> String {
        pos += 1
        let end = bytes.count
        var runStart = pos
        var usesScratch = false
        while true {
            // Fast scan over plain ASCII.
            while pos < end {
                let byte = bytes[pos]
                guard byte >= 0x20, byte < 0x80, byte != ASCII.quote, byte != ASCII.backslash else { break }
                pos += 1
            }
            guard pos < end else { throw .unexpectedEnd }
            let byte = bytes[pos]
            if byte == ASCII.quote {
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<pos])
                pos += 1
                if !usesScratch {
                    guard run.count <= limits.maxStringBytes else {
                        throw .stringTooLong(limit: limits.maxStringBytes)
                    }
                    return String(decoding: run, as: UTF8.self)
                }
                scratch.append(contentsOf: run)
                guard scratch.count <= limits.maxStringBytes else {
                    throw .stringTooLong(limit: limits.maxStringBytes)
                }
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == ASCII.backslash {
                if !usesScratch {
                    usesScratch = true
                    scratch.removeAll(keepingCapacity: true)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<pos]))
                try parseEscape()
                guard scratch.count <= limits.maxStringBytes else {
                    throw .stringTooLong(limit: limits.maxStringBytes)
                }
                runStart = pos
            } else if byte < 0x20 {
                throw .controlCharacterInString(offset: pos)
            } else {
                try skipMultiByteSequence()
            }
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `pos` (Unicode Table 3-7: no overlongs, no
    /// surrogates, nothing above U+10FFFF, no truncation) and moves past it.
    private mutating func skipMultiByteSequence() throws(JSONError) {
        let start = pos
        let lead = bytes[start]
        var continuationCount: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF:
            continuationCount = 1
        case 0xE0:
            continuationCount = 2
            secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF:
            continuationCount = 2
        case 0xED:
            continuationCount = 2
            secondHigh = 0x9F
        case 0xF0:
            continuationCount = 3
            secondLow = 0x90
        case 0xF1...0xF3:
            continuationCount = 3
        case 0xF4:
            continuationCount = 3
            secondHigh = 0x8F
        default:
            throw .invalidUTF8(offset: start)
        }
        guard bytes.count - start > continuationCount else { throw .invalidUTF8(offset: start) }
        let second = bytes[start + 1]
        guard second >= secondLow, second <= secondHigh else { throw .invalidUTF8(offset: start) }
        var index = start + 2
        while index <= start + continuationCount {
            guard bytes[index] & 0xC0 == 0x80 else { throw .invalidUTF8(offset: start) }
            index += 1
        }
        pos = index
    }

    /// Decodes the escape whose backslash is at `pos` into `scratch`.
    private mutating func parseEscape() throws(JSONError) {
        let escapeStart = pos
        pos += 1
        guard pos < bytes.count else { throw .unexpectedEnd }
        let kind = bytes[pos]
        pos += 1
        switch kind {
        case ASCII.quote: scratch.append(ASCII.quote)
        case ASCII.backslash: scratch.append(ASCII.backslash)
        case ASCII.slash: scratch.append(ASCII.slash)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: escapeStart)
            switch unit {
            case 0xD800...0xDBFF:
                guard pos + 1 < bytes.count, bytes[pos] == ASCII.backslash, bytes[pos + 1] == UInt8(ascii: "u")
                else { throw .loneSurrogate(offset: escapeStart) }
                let lowStart = pos
                pos += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else { throw .loneSurrogate(offset: escapeStart) }
                appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00...0xDFFF:
                throw .loneSurrogate(offset: escapeStart)
            default:
                appendUTF8(unit)
            }
        default:
            throw .invalidEscape(offset: escapeStart)
        }
    }

    /// Reads the four hex digits of a `\u` escape (either case).
    private mutating func parseHex4(escapeStart: Int) throws(JSONError) -> UInt32 {
        var result: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[pos]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape(offset: escapeStart)
            }
            result = (result << 4) | UInt32(digit)
            pos += 1
        }
        return result
    }

    /// Appends the UTF-8 encoding of a scalar value (never a surrogate) to `scratch`.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
