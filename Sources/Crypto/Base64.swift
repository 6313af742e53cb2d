/// RFC 4648 standard base64 with padding, as the protocol uses everywhere.
public enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 255 marks a byte outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    /// Encodes bytes as padded base64.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let outputLength = (input.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: outputLength) { out in
            var o = 0
            var i = 0
            while i + 3 <= input.count {
                let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                out[o] = alphabet[Int(n >> 18 & 63)]
                out[o + 1] = alphabet[Int(n >> 12 & 63)]
                out[o + 2] = alphabet[Int(n >> 6 & 63)]
                out[o + 3] = alphabet[Int(n & 63)]
                i += 3
                o += 4
            }
            let rest = input.count - i
            if rest > 0 {
                let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                out[o] = alphabet[Int(n >> 18 & 63)]
                out[o + 1] = alphabet[Int(n >> 12 & 63)]
                out[o + 2] = rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            return o
        }
    }

    /// Decodes padded standard base64 strictly: length a multiple of 4, alphabet characters only, `=` only as
    /// the final one or two characters. Returns nil for anything else (no whitespace, no URL-safe alphabet).
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Decodes after removing ASCII whitespace (spaces, tabs, CR, LF): for PEM bodies wrapped at any width.
    public static func decodeIgnoringWhitespace(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decodeIgnoringWhitespace(utf8: $0) }
    }

    /// `decodeIgnoringWhitespace(_:)` of UTF-8/ASCII bytes; input without whitespace is decoded in place.
    public static func decodeIgnoringWhitespace(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.contains(where: isWhitespace) else { return decode(utf8: UnsafeRawBufferPointer(input)) }
        var compact: [UInt8] = []
        compact.reserveCapacity(input.count)
        for byte in input where !isWhitespace(byte) { compact.append(byte) }
        return compact.withUnsafeBytes { decode(utf8: $0) }
    }

    /// Space, tab, LF or CR.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Strict decode of UTF-8/ASCII bytes; see `decode(_:)`.
    public static func decode(utf8 input: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = input.count
        guard count % 4 == 0 else { return nil }
        if count == 0 { return [] }
        var padding = 0
        if input[count - 1] == UInt8(ascii: "=") { padding += 1 }
        if input[count - 2] == UInt8(ascii: "=") { padding += 1 }
        if padding == 1, input[count - 2] == UInt8(ascii: "=") { return nil }
        let outputLength = count / 4 * 3 - padding
        var output = [UInt8](repeating: 0, count: outputLength)
        let valid = decodeTable.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { out -> Bool in
                var o = 0
                var i = 0
                while i < count {
                    let isLast = i + 4 == count
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    var c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    if isLast && padding >= 1 { d = 0 }
                    if isLast && padding == 2 { c = 0 }
                    if (a | b | c | d) == 255 { return false }
                    let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: n >> 16)
                    if o + 1 < outputLength { out[o + 1] = UInt8(truncatingIfNeeded: n >> 8) }
                    if o + 2 < outputLength { out[o + 2] = UInt8(truncatingIfNeeded: n) }
                    o += 3
                    i += 4
                }
                return true
            }
        }
        return valid ? output : nil
    }
}
