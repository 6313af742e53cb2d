/// A reader for the small subset of TOML that olafd's configuration file uses: `# comments`, `[table]`
/// headers, and `key = value` lines whose value is a basic string ("…" with \\ \" \n \t \uXXXX escapes), a
/// literal string ('…'), an integer (digits, optional sign, `_` separators), a float, or `true`/`false`.
/// Keys inside a table are returned as `table.key`. Anything else is an error with its line number, so a typo
/// never silently changes a setting.
public enum TOMLSubset {
    /// A parsed value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
    }

    /// A syntax error at a 1-based line.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Parses `text` into `table.key` → value.
    public static func parse(_ text: String) throws(ParseError) -> [String: Value] {
        var result: [String: Value] = [:]
        var table = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingWhitespace()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw ParseError(line: lineNumber, reason: "a table header looks like [name]")
                }
                table = String(line.dropFirst().dropLast()).trimmingWhitespace()
                guard isBareKey(table) else {
                    throw ParseError(line: lineNumber, reason: "invalid table name \"\(table)\"")
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: lineNumber, reason: "expected key = value")
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            guard isBareKey(key) else { throw ParseError(line: lineNumber, reason: "invalid key \"\(key)\"") }
            let fullKey = table.isEmpty ? key : "\(table).\(key)"
            guard result[fullKey] == nil else { throw ParseError(line: lineNumber, reason: "\(fullKey) is set twice") }
            do {
                result[fullKey] = try value(String(line[line.index(after: equals)...]).trimmingWhitespace())
            } catch {
                throw ParseError(line: lineNumber, reason: "\(fullKey): \(error.reason)")
            }
        }
        return result
    }

    private struct ValueError: Error { let reason: String }

    private static func value(_ text: String) throws(ValueError) -> Value {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if text.hasPrefix("\"") { return .string(try basicString(text)) }
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'"), !text.dropFirst().dropLast().contains("'") else {
                throw ValueError(reason: "unterminated literal string")
            }
            return .string(String(text.dropFirst().dropLast()))
        }
        let digits = text.filter { $0 != "_" }
        if let integer = Int64(digits) { return .integer(integer) }
        if digits.contains("."), let float = Double(digits), float.isFinite { return .float(float) }
        throw ValueError(reason: "unsupported value \(text.prefix(40)) (use a \"string\", a number, true or false)")
    }

    private static func basicString(_ text: String) throws(ValueError) -> String {
        var output = ""
        var iterator = text.unicodeScalars.dropFirst().makeIterator()
        while let scalar = iterator.next() {
            switch scalar {
            case "\"":
                guard iterator.next() == nil else { throw ValueError(reason: "text after the closing quote") }
                return output
            case "\\":
                switch iterator.next() {
                case "\\": output.append("\\")
                case "\"": output.append("\"")
                case "n": output.append("\n")
                case "t": output.append("\t")
                case "r": output.append("\r")
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let digit = iterator.next() { hex.unicodeScalars.append(digit) } }
                    guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                        throw ValueError(reason: "invalid \\u escape")
                    }
                    output.unicodeScalars.append(decoded)
                default: throw ValueError(reason: "unsupported escape in string")
                }
            default:
                guard scalar.value >= 0x20 || scalar == "\t" else {
                    throw ValueError(reason: "control character in string")
                }
                output.unicodeScalars.append(scalar)
            }
        }
        throw ValueError(reason: "unterminated string")
    }

    /// The line without a `#` comment (a `#` inside a quoted string is kept).
    private static func stripComment(_ line: String) -> String {
        var quote: Character? = nil
        var escaped = false
        for (offset, character) in line.enumerated() {
            if escaped { escaped = false; continue }
            if quote == "\"" && character == "\\" { escaped = true; continue }
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return String(line.prefix(offset))
            }
        }
        return line
    }

    private static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and carriage returns.
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
