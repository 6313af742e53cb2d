/// A parsed structured header value such as `form-data; name="file"; filename="a.txt"` or
/// `multipart/form-data; boundary=xyz`: the leading value plus its `;`-separated parameters.
///
/// Works on raw bytes because part headers may carry raw (non-ASCII, possibly invalid UTF-8) file names.
struct HeaderParameters {
    /// The value before the first `;`, with surrounding whitespace removed.
    var value: [UInt8]
    /// Parameters in order; names lowercased (ASCII), values unquoted.
    var parameters: [(name: String, value: [UInt8])]

    /// The first parameter called `name` (case-insensitive), if any.
    func parameter(_ name: String) -> [UInt8]? {
        let wanted = name.lowercased()
        return self.parameters.first { $0.name == wanted }?.value
    }

    /// Signals a quoted string without its closing quote.
    struct MalformedError: Error {}

    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09
    private static let semicolon: UInt8 = 0x3B
    private static let equals: UInt8 = 0x3D
    private static let quote: UInt8 = 0x22
    private static let backslash: UInt8 = 0x5C

    /// Parses `bytes`. Lenient (empty or value-less parameters are skipped, junk after a quoted string up to
    /// the next `;` is ignored) except for an unterminated quoted string, which throws. Linear time.
    static func parse(_ bytes: [UInt8]) throws(MalformedError) -> HeaderParameters {
        var index = 0
        let count = bytes.count
        // Leading value: up to the first ';' (not quote-aware: media types and disposition types are tokens).
        while index < count, bytes[index] != semicolon { index += 1 }
        var result = HeaderParameters(value: trimmed(bytes[0..<index]), parameters: [])
        while index < count {
            // Here bytes[index] == ';'.
            index += 1
            skipWhitespace(bytes, &index)
            let nameStart = index
            while index < count, bytes[index] != equals, bytes[index] != semicolon { index += 1 }
            let name = trimmed(bytes[nameStart..<index])
            guard index < count, bytes[index] == equals else { continue }  // no '=': skip (or end)
            index += 1
            skipWhitespace(bytes, &index)
            var value: [UInt8] = []
            if index < count, bytes[index] == quote {
                index += 1
                var closed = false
                while index < count {
                    let byte = bytes[index]
                    if byte == quote {
                        closed = true
                        index += 1
                        break
                    }
                    // quoted-pair, but only for `\"` and `\\`: a lone backslash stays literal, so that
                    // Windows paths such as `C:\dir\file.txt` keep their separators for sanitising.
                    if byte == backslash, index + 1 < count, bytes[index + 1] == quote || bytes[index + 1] == backslash
                    {
                        value.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    value.append(byte)
                    index += 1
                }
                guard closed else { throw MalformedError() }
                while index < count, bytes[index] != semicolon { index += 1 }
            } else {
                let valueStart = index
                while index < count, bytes[index] != semicolon { index += 1 }
                value = trimmed(bytes[valueStart..<index])
            }
            if !name.isEmpty {
                result.parameters.append((name: String(decoding: name, as: UTF8.self).lowercased(), value: value))
            }
        }
        return result
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, bytes[index] == space || bytes[index] == tab { index += 1 }
    }

    private static func trimmed(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        var lower = slice.startIndex
        var upper = slice.endIndex
        while lower < upper, slice[lower] == space || slice[lower] == tab { lower += 1 }
        while upper > lower, slice[upper - 1] == space || slice[upper - 1] == tab { upper -= 1 }
        return Array(slice[lower..<upper])
    }

    /// Decodes an RFC 8187 extended value (`charset'language'percent-encoded`), as used by `filename*`.
    /// Supports UTF-8 (strictly validated) and ISO-8859-1; anything else, or bad percent-encoding, gives nil.
    static func decodeExtendedValue(_ bytes: [UInt8]) -> String? {
        guard let firstQuote = bytes.firstIndex(of: 0x27) else { return nil }
        guard let secondQuote = bytes[(firstQuote + 1)...].firstIndex(of: 0x27) else { return nil }
        let charset = String(decoding: bytes[0..<firstQuote], as: UTF8.self).lowercased()
        guard let decoded = percentDecode(bytes[(secondQuote + 1)...]) else { return nil }
        switch charset {
        case "utf-8":
            return String(validating: decoded, as: UTF8.self)
        case "iso-8859-1", "latin1":
            var string = ""
            string.unicodeScalars.append(contentsOf: decoded.map { Unicode.Scalar($0) })
            return string
        default:
            return nil
        }
    }

    private static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x25 {  // '%'
                guard index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
