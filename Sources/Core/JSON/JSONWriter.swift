/// Serialises `JSONValue`s in fixed, byte-exact layouts (object members in their stored order).
public enum JSONWriter {
    /// The layout of Python's json.dumps defaults: ", " and ": " separators, ensure_ascii escaping.
    public static func python(_ value: JSONValue) -> String {
        String(decoding: pythonUTF8(value), as: UTF8.self)
    }

    /// Compact layout like JavaScript JSON.stringify: "," and ":" separators, non-ASCII kept as UTF-8.
    public static func compact(_ value: JSONValue) -> String {
        String(decoding: compactUTF8(value), as: UTF8.self)
    }

    /// The UTF-8 bytes of `python(value)`.
    public static func pythonUTF8(_ value: JSONValue) -> [UInt8] {
        var emitter = JSONEmitter(style: .python)
        emitter.write(value)
        return emitter.output
    }

    /// The UTF-8 bytes of `compact(value)`.
    public static func compactUTF8(_ value: JSONValue) -> [UInt8] {
        var emitter = JSONEmitter(style: .compact)
        emitter.write(value)
        return emitter.output
    }
}

/// Appends the JSON text of values to a byte buffer.
private struct JSONEmitter {
    enum Style {
        /// `json.dumps(obj)`: ", " / ": ", everything outside 0x20...0x7E escaped.
        case python
        /// `json.dumps(obj, separators=(",", ":"), ensure_ascii=False)`: only `"`, `\` and C0 escaped.
        case compact
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    let style: Style
    var output: [UInt8] = []

    init(style: Style) {
        self.style = style
        output.reserveCapacity(256)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null:
            append("null")
        case .bool(let flag):
            append(flag ? "true" : "false")
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .string(let text):
            writeString(text)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { appendItemSeparator() }
                write(element)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { appendItemSeparator() }
                writeString(member.key)
                append(style == .python ? ": " : ":")
                write(member.value)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func appendItemSeparator() {
        append(style == .python ? ", " : ",")
    }

    private mutating func append(_ text: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        switch style {
        case .python:
            for scalar in text.unicodeScalars {
                let value = scalar.value
                if appendShortEscape(value) { continue }
                switch value {
                case 0x20...0x7E:
                    output.append(UInt8(value))
                case ..<0x10000:
                    appendUnicodeEscape(value)
                default:
                    let offset = value - 0x10000
                    appendUnicodeEscape(0xD800 + (offset >> 10))
                    appendUnicodeEscape(0xDC00 + (offset & 0x3FF))
                }
            }
        case .compact:
            for byte in text.utf8 {
                if appendShortEscape(UInt32(byte)) { continue }
                if byte < 0x20 {
                    appendUnicodeEscape(UInt32(byte))
                } else {
                    output.append(byte)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends the two-character escape for `"`, `\`, BS, FF, LF, CR or TAB; false for anything else.
    private mutating func appendShortEscape(_ value: UInt32) -> Bool {
        let letter: UInt8
        switch value {
        case 0x22: letter = UInt8(ascii: "\"")
        case 0x5C: letter = UInt8(ascii: "\\")
        case 0x08: letter = UInt8(ascii: "b")
        case 0x0C: letter = UInt8(ascii: "f")
        case 0x0A: letter = UInt8(ascii: "n")
        case 0x0D: letter = UInt8(ascii: "r")
        case 0x09: letter = UInt8(ascii: "t")
        default: return false
        }
        output.append(UInt8(ascii: "\\"))
        output.append(letter)
        return true
    }

    /// Appends `\u` and four lowercase hex digits of a UTF-16 code unit.
    private mutating func appendUnicodeEscape(_ unit: UInt32) {
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "u"))
        output.append(Self.hexDigits[Int((unit >> 12) & 0xF)])
        output.append(Self.hexDigits[Int((unit >> 8) & 0xF)])
        output.append(Self.hexDigits[Int((unit >> 4) & 0xF)])
        output.append(Self.hexDigits[Int(unit & 0xF)])
    }
}
