/// Why a JSON text was refused; `offset` is the byte offset in the input. Messages must be readable by a user.
public enum JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input holds no value (it is empty or only whitespace).
    case empty
    /// The input ended in the middle of a value.
    case unexpectedEnd
    /// A byte that cannot appear here (this includes a UTF-8 byte order mark at the start).
    case unexpectedByte(UInt8, offset: Int)
    /// A number that does not follow the JSON grammar (leading zero, '+', missing digits, ...).
    case invalidNumber(offset: Int)
    /// A backslash escape that JSON does not define, or a `\u` escape without four hex digits.
    case invalidEscape(offset: Int)
    /// `\ud800` without a following low surrogate, or a lone low surrogate.
    case loneSurrogate(offset: Int)
    /// Bytes inside a string that are not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A raw control character (below U+0020) inside a string.
    case controlCharacterInString(offset: Int)
    /// Duplicate keys are refused: they make parser differentials possible.
    case duplicateKey(String)
    /// Something other than whitespace follows the value.
    case trailingData(offset: Int)
    /// Arrays/objects are nested deeper than `JSONLimits.maxDepth`.
    case tooDeep(limit: Int)
    /// A decoded string (or key) has more UTF-8 bytes than `JSONLimits.maxStringBytes`.
    case stringTooLong(limit: Int)
    /// An array or object has more entries than `JSONLimits.maxContainerCount`.
    case tooManyElements(limit: Int)
    /// The input has more bytes than `JSONLimits.maxTotalBytes`.
    case inputTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .empty:
            "The JSON text is empty."
        case .unexpectedEnd:
            "The JSON text ends unexpectedly."
        case .unexpectedByte(let byte, let offset):
            "Unexpected \(Self.describe(byte)) at byte offset \(offset) of the JSON text."
        case .invalidNumber(let offset):
            "Invalid number at byte offset \(offset) of the JSON text."
        case .invalidEscape(let offset):
            "Invalid escape sequence in a string at byte offset \(offset) of the JSON text."
        case .loneSurrogate(let offset):
            "Unpaired UTF-16 surrogate escape in a string at byte offset \(offset) of the JSON text."
        case .invalidUTF8(let offset):
            "Invalid UTF-8 at byte offset \(offset) of the JSON text."
        case .controlCharacterInString(let offset):
            "Unescaped control character in a string at byte offset \(offset) of the JSON text."
        case .duplicateKey(let key):
            "Duplicate object key \(Self.quote(key)) in the JSON text."
        case .trailingData(let offset):
            "Unexpected data after the JSON value at byte offset \(offset)."
        case .tooDeep(let limit):
            "The JSON text is nested deeper than the limit of \(limit) levels."
        case .stringTooLong(let limit):
            "A JSON string is longer than the limit of \(limit) bytes."
        case .tooManyElements(let limit):
            "A JSON array or object has more than the limit of \(limit) elements."
        case .inputTooLarge(let limit):
            "The JSON text is larger than the limit of \(limit) bytes."
        }
    }

    /// "character 'x'" for printable ASCII, otherwise "byte 0xEF".
    private static func describe(_ byte: UInt8) -> String {
        if byte > 0x20, byte < 0x7F {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }

    /// The key as a JSON string (so control characters stay visible), shortened if very long.
    private static func quote(_ key: String) -> String {
        let maxShown = 64
        if key.unicodeScalars.count <= maxShown {
            return JSONWriter.compact(.string(key))
        }
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: key.unicodeScalars.prefix(maxShown))
        return JSONWriter.compact(.string(String(shown))) + "…"
    }
}
