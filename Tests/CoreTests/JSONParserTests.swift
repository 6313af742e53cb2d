import Core
import Testing

/// The error thrown for `text`, or nil if it parses.
private func parseError(_ text: String, limits: JSONLimits = .default) -> JSONError? {
    do throws(JSONError) {
        _ = try JSONParser.parse(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// The error thrown for raw `bytes`, or nil if they parse.
private func parseError(bytes: [UInt8], limits: JSONLimits = .default) -> JSONError? {
    do throws(JSONError) {
        _ = try JSONParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func nested(_ depth: Int, open: String = "[", close: String = "]", inner: String = "") -> String {
    String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
}

@Suite("JSONParser")
struct JSONParserTests {
    // MARK: - Values and round trips

    @Test(
        "Top-level scalars",
        arguments: [
            ("null", JSONValue.null),
            ("true", .bool(true)),
            ("false", .bool(false)),
            ("0", .number("0")),
            ("\"\"", .string("")),
            (" \t\r\n\"x\" \t\r\n", .string("x")),
            ("[]", .array([])),
            ("{}", .object(JSONObject())),
        ])
    func topLevelScalars(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test("Nested document parses to the exact structure and keeps member order")
    func nestedDocument() throws {
        let text =
            #"{"type": "signed_data", "data": {"z": 1, "a": [true, false, null], "m": {}}, "counter": 12345678901234567890, "list": [], "s": "\u2028\u00a0"}"#
        let value = try JSONParser.parse(text)
        let expected: JSONValue = [
            "type": "signed_data",
            "data": ["z": 1, "a": [true, false, .null], "m": .object(JSONObject())],
            "counter": .number("12345678901234567890"),
            "list": [],
            "s": "\u{2028}\u{A0}",
        ]
        #expect(value == expected)
        #expect(value.objectValue?.keys == ["type", "data", "counter", "list", "s"])
        #expect(value.objectValue?["data"]?.objectValue?.keys == ["z", "a", "m"])
        #expect(value.objectValue?["counter"]?.uint64Value == 12_345_678_901_234_567_890)
        #expect(JSONWriter.python(value) == text)
        #expect(try JSONParser.parse(JSONWriter.compact(value)) == value)
    }

    @Test("Parses a collection without contiguous storage")
    func nonContiguousInput() throws {
        let bytes = Array(#"{"a": [1, "\u00e9"]}"#.utf8).lazy.map { $0 }
        #expect(try JSONParser.parse(bytes) == ["a": [1, "\u{E9}"]])
    }

    @Test("Parses from [UInt8]")
    func byteArrayInput() throws {
        #expect(try JSONParser.parse(Array("[1,2]".utf8)) == [1, 2])
    }

    // MARK: - Structure errors

    @Test("Empty input and whitespace only")
    func empty() {
        #expect(parseError("") == .empty)
        #expect(parseError(" \t\r\n") == .empty)
        #expect(parseError(bytes: []) == .empty)
    }

    @Test("Only space, tab, CR and LF are whitespace")
    func whitespace() {
        #expect(parseError("\u{0B}1") == .unexpectedByte(0x0B, offset: 0))
        #expect(parseError("\u{0C}1") == .unexpectedByte(0x0C, offset: 0))
        #expect(parseError("[1,\u{A0}2]") == .unexpectedByte(0xC2, offset: 3))
    }

    @Test("A UTF-8 byte order mark is refused")
    func byteOrderMark() {
        #expect(parseError(bytes: [0xEF, 0xBB, 0xBF, 0x31]) == .unexpectedByte(0xEF, offset: 0))
    }

    @Test("Trailing data after the value")
    func trailingData() {
        #expect(parseError("1 2") == .trailingData(offset: 2))
        #expect(parseError("{} x") == .trailingData(offset: 3))
        #expect(parseError("truex") == .trailingData(offset: 4))
        #expect(parseError("0x1F") == .trailingData(offset: 1))
        #expect(parseError("[1]]") == .trailingData(offset: 3))
        #expect(parseError("\"a\"\"b\"") == .trailingData(offset: 3))
    }

    @Test(
        "Unexpected end of input",
        arguments: [
            "[", "[1", "[1,", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "\"abc", "tru", "n", "\"\\", "\"\\u12",
        ])
    func unexpectedEnd(text: String) {
        #expect(parseError(text) == .unexpectedEnd)
    }

    @Test("Unexpected bytes report the byte and its offset")
    func unexpectedBytes() {
        #expect(parseError("[1,]") == .unexpectedByte(UInt8(ascii: "]"), offset: 3))
        #expect(parseError("{\"a\":1,}") == .unexpectedByte(UInt8(ascii: "}"), offset: 7))
        #expect(parseError("{a:1}") == .unexpectedByte(UInt8(ascii: "a"), offset: 1))
        #expect(parseError("{\"a\" 1}") == .unexpectedByte(UInt8(ascii: "1"), offset: 5))
        #expect(parseError("[1 2]") == .unexpectedByte(UInt8(ascii: "2"), offset: 3))
        #expect(parseError("{\"a\":1 \"b\":2}") == .unexpectedByte(UInt8(ascii: "\""), offset: 7))
        #expect(parseError("[1}") == .unexpectedByte(UInt8(ascii: "}"), offset: 2))
        #expect(parseError("nulx") == .unexpectedByte(UInt8(ascii: "x"), offset: 3))
        #expect(parseError("NaN") == .unexpectedByte(UInt8(ascii: "N"), offset: 0))
        #expect(parseError("Infinity") == .unexpectedByte(UInt8(ascii: "I"), offset: 0))
        #expect(parseError("'a'") == .unexpectedByte(UInt8(ascii: "'"), offset: 0))
        #expect(parseError(",") == .unexpectedByte(UInt8(ascii: ","), offset: 0))
        #expect(parseError(bytes: [0xC3, 0xA9]) == .unexpectedByte(0xC3, offset: 0))
    }

    // MARK: - Numbers

    @Test(
        "Valid numbers keep their exact text",
        arguments: [
            "0", "-0", "12.5e-3", "18446744073709551616", "1E+10", "-1.0e0", "0.000", "1e00",
            "123456789012345678901234567890.123456789",
        ])
    func validNumbers(text: String) throws {
        #expect(try JSONParser.parse(text) == .number(text))
        #expect(try JSONParser.parse("[\(text)]") == .array([.number(text)]))
    }

    @Test(
        "Invalid numbers",
        arguments: [
            ("01", 0), ("1.", 0), (".5", 0), ("+1", 0), ("1e", 0), ("-", 0), ("-01", 0), ("1.e3", 0),
            ("1e+", 0), ("--1", 0), ("-Infinity", 0), ("-.5", 0), ("[1, 01]", 4), ("{\"a\": 2.}", 6),
        ])
    func invalidNumbers(text: String, offset: Int) {
        #expect(parseError(text) == .invalidNumber(offset: offset))
    }

    @Test(
        "uint64Value accepts plain digits that fit",
        arguments: [
            ("12345", UInt64?.some(12345)), ("0", 0), ("18446744073709551615", UInt64.max),
            ("-1", nil), ("1.0", nil), ("1e3", nil), ("18446744073709551616", nil), ("-0", nil),
        ])
    func uint64Value(text: String, expected: UInt64?) throws {
        #expect(try JSONParser.parse(text).uint64Value == expected)
    }

    @Test("uint64Value is nil for non-numbers and non-canonical digits")
    func uint64ValueOther() {
        #expect(JSONValue.string("1").uint64Value == nil)
        #expect(JSONValue.number("007").uint64Value == nil)
        #expect(JSONValue.number("").uint64Value == nil)
        #expect(JSONValue.integer(UInt64.max).uint64Value == UInt64.max)
    }

    // MARK: - Strings

    @Test("Short escapes and \\u escapes in either case")
    func escapes() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u0041\u00e9\u00E9\u0000z""#) == .string("A\u{E9}\u{E9}\u{0}z"))
        #expect(try JSONParser.parse(#""a\nb\u2713c""#) == .string("a\nb\u{2713}c"))
    }

    @Test("Surrogate pairs combine")
    func surrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("\u{1F600}"))
        #expect(try JSONParser.parse(#""x\uD83D\uDE00y""#) == .string("x\u{1F600}y"))
        #expect(try JSONParser.parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
        #expect(try JSONParser.parse(#""\ud800\udc00""#) == .string("\u{10000}"))
    }

    @Test(
        "Lone surrogates are refused",
        arguments: [
            (#""\ud800""#, 1), (#""\udc00""#, 1), (#""\ud800\u0041""#, 1), (#""ab\ud800\n""#, 3),
            (#""\ud800\ud800""#, 1), (#""\ud800x""#, 1), (#""\uDFFF\uD800""#, 1),
        ])
    func loneSurrogates(text: String, offset: Int) {
        #expect(parseError(text) == .loneSurrogate(offset: offset))
    }

    @Test(
        "Invalid escapes",
        arguments: [
            (#""\x""#, 1), (#""\u12G4""#, 1), (#""\U0041""#, 1), (#""\'""#, 1), (#""ab\a""#, 3),
            (#""\ud83d\uZZZZ""#, 7), (#""\u00e""#, 1),
        ])
    func invalidEscapes(text: String, offset: Int) {
        #expect(parseError(text) == .invalidEscape(offset: offset))
    }

    @Test(
        "Invalid UTF-8 inside strings",
        arguments: [
            ([0x22, 0xC3, 0x28, 0x22], 1),  // bad continuation
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong '/'
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong 3-byte
            ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 1),  // overlong 4-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // encoded surrogate U+D800
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
            ([0x22, 0x61, 0x80, 0x22], 2),  // lone continuation byte
            ([0x22, 0xE2, 0x82, 0x22], 1),  // truncated before the quote
            ([0x22, 0xF0, 0x9F], 1),  // truncated by the end of input
            ([0x22, 0xFF, 0x22], 1),
        ] as [([UInt8], Int)])
    func invalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(parseError(bytes: bytes) == .invalidUTF8(offset: offset))
    }

    @Test("Valid multi-byte UTF-8 is decoded to exactly the same scalars")
    func validUTF8IsExact() throws {
        let text = "\"e\u{301} \u{212A} \u{E9} \u{FEFF} \u{7F} \u{10FFFF} \u{1F600}\""
        let value = try JSONParser.parse(text)
        let decoded = try #require(value.stringValue)
        #expect(
            Array(decoded.unicodeScalars.map(\.value)) == [
                0x65, 0x301, 0x20, 0x212A, 0x20, 0xE9, 0x20, 0xFEFF, 0x20, 0x7F, 0x20, 0x10FFFF, 0x20, 0x1F600,
            ])
        #expect(JSONWriter.compactUTF8(value) == Array(text.utf8))
        // Canonically equivalent but different scalars are different values.
        #expect(JSONValue.string("e\u{301}") != JSONValue.string("\u{E9}"))
        #expect(JSONValue.string("\u{212A}") != JSONValue.string("K"))
    }

    @Test("Raw control characters inside strings are refused")
    func controlCharacters() {
        #expect(parseError(bytes: [0x22, 0x01, 0x22]) == .controlCharacterInString(offset: 1))
        #expect(parseError("\"a\tb\"") == .controlCharacterInString(offset: 2))
        #expect(parseError("\"a\nb\"") == .controlCharacterInString(offset: 2))
        #expect(parseError("[\"\\n\u{0}\"]") == .controlCharacterInString(offset: 4))
        #expect(parseError("{\"k\u{1F}\":1}") == .controlCharacterInString(offset: 3))
    }

    @Test("DEL is allowed raw inside strings")
    func deleteIsAllowed() throws {
        #expect(try JSONParser.parse("\"\u{7F}\"") == .string("\u{7F}"))
    }

    // MARK: - Objects

    @Test("Duplicate keys are refused")
    func duplicateKeys() {
        #expect(parseError(#"{"a":1,"a":2}"#) == .duplicateKey("a"))
        #expect(parseError(#"{"x":{"b":[],"c":0,"b":true}}"#) == .duplicateKey("b"))
        #expect(parseError(#"{"a":1,"\u0061":2}"#) == .duplicateKey("a"))
        #expect(parseError(#"{"":1,"":2}"#) == .duplicateKey(""))
        // Objects large enough to use the hash index.
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(parseError("{\(members),\"k3\":0}") == .duplicateKey("k3"))
        #expect(parseError("{\(members),\"k39\":0}") == .duplicateKey("k39"))
    }

    @Test("Keys that are only canonically equivalent are distinct")
    func exactKeys() throws {
        let object = try #require(try JSONParser.parse(#"{"\u212a":1,"K":2,"\u00e9":3,"e\u0301":4}"#).objectValue)
        #expect(object.count == 4)
        #expect(object["K"] == 2)
        #expect(object["\u{212A}"] == 1)
        #expect(object["\u{E9}"] == 3)
        #expect(object["e\u{301}"] == 4)
    }

    @Test("Large objects keep order and find every key")
    func largeObject() throws {
        let members = (0..<200).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let object = try #require(try JSONParser.parse("{\(members)}").objectValue)
        #expect(object.count == 200)
        #expect(object.keys == (0..<200).map { "k\($0)" })
        for index in 0..<200 {
            #expect(object["k\(index)"]?.uint64Value == UInt64(index))
        }
        #expect(object["k200"] == nil)
    }

    // MARK: - Limits

    @Test("Depth limit: exactly at the limit parses, one over fails")
    func depthLimit() throws {
        #expect(try JSONParser.parse(nested(32)) != .null)
        #expect(parseError(nested(33)) == .tooDeep(limit: 32))
        #expect(parseError(nested(32, inner: "1")) == nil)
        #expect(parseError(nested(33, inner: "1")) == .tooDeep(limit: 32))
        #expect(parseError(nested(32, open: "{\"a\":", close: "}", inner: "{}")) == .tooDeep(limit: 32))
        #expect(parseError(nested(31, open: "{\"a\":", close: "}", inner: "{}")) == nil)
        #expect(parseError(nested(31, open: "{\"a\":", close: "}", inner: "[]")) == nil)
        #expect(parseError(nested(31, open: "[{\"a\":", close: "}]", inner: "[]")) == .tooDeep(limit: 32))
    }

    @Test("Custom depth limits, including zero")
    func customDepth() {
        #expect(parseError("[]", limits: JSONLimits(maxDepth: 1)) == nil)
        #expect(parseError("[[]]", limits: JSONLimits(maxDepth: 1)) == .tooDeep(limit: 1))
        #expect(parseError("[{}]", limits: JSONLimits(maxDepth: 1)) == .tooDeep(limit: 1))
        #expect(parseError("[1, 2, {\"a\": 3}]", limits: JSONLimits(maxDepth: 1)) == .tooDeep(limit: 1))
        #expect(parseError("\"x\"", limits: JSONLimits(maxDepth: 0)) == nil)
        #expect(parseError("{}", limits: JSONLimits(maxDepth: 0)) == .tooDeep(limit: 0))
    }

    @Test("Deep input: a raised limit works, and hostile nesting fails fast")
    func veryDeep() throws {
        let limits = JSONLimits(maxDepth: 2_000)
        let value = try JSONParser.parse(nested(2_000, inner: "7"), limits: limits)
        #expect(JSONWriter.compact(value) == nested(2_000, inner: "7"))
        #expect(parseError(nested(2_001), limits: limits) == .tooDeep(limit: 2_000))
        #expect(parseError(String(repeating: "[", count: 1_000_000)) == .tooDeep(limit: 32))
    }

    @Test("String length limit counts decoded UTF-8 bytes, keys included")
    func stringLimit() {
        let limits = JSONLimits(maxStringBytes: 4)
        #expect(parseError("\"abcd\"", limits: limits) == nil)
        #expect(parseError("\"abcde\"", limits: limits) == .stringTooLong(limit: 4))
        #expect(parseError("\"\u{E9}\u{E9}\"", limits: limits) == nil)
        #expect(parseError("\"\u{E9}\u{E9}a\"", limits: limits) == .stringTooLong(limit: 4))
        #expect(parseError(#""\u00e9\u00e9""#, limits: limits) == nil)
        #expect(parseError(#""\u00e9\u00e9\n""#, limits: limits) == .stringTooLong(limit: 4))
        #expect(parseError(#""ab\ncd""#, limits: limits) == .stringTooLong(limit: 4))
        #expect(parseError(#""\ud83d\ude00""#, limits: limits) == nil)
        #expect(parseError(#"{"abcd":1}"#, limits: limits) == nil)
        #expect(parseError(#"{"abcde":1}"#, limits: limits) == .stringTooLong(limit: 4))
    }

    @Test("Element limit applies to arrays and objects")
    func elementLimit() {
        let limits = JSONLimits(maxContainerCount: 3)
        #expect(parseError("[1,2,3]", limits: limits) == nil)
        #expect(parseError("[1,2,3,4]", limits: limits) == .tooManyElements(limit: 3))
        #expect(parseError("[[1,2,3],[1,2,3],[1,2,3]]", limits: limits) == nil)
        #expect(parseError(#"{"a":1,"b":2,"c":3}"#, limits: limits) == nil)
        #expect(parseError(#"{"a":1,"b":2,"c":3,"d":4}"#, limits: limits) == .tooManyElements(limit: 3))
        let items = Array(repeating: "0", count: 10_000).joined(separator: ",")
        #expect(parseError("[\(items)]") == nil)
        #expect(parseError("[\(items),0]") == .tooManyElements(limit: 10_000))
    }

    @Test("Total size limit is checked first")
    func totalLimit() {
        let limits = JSONLimits(maxTotalBytes: 10)
        #expect(parseError("[1,2,3,44]", limits: limits) == nil)
        #expect(parseError("[1,2,3,444]", limits: limits) == .inputTooLarge(limit: 10))
        #expect(parseError("[1,2,3,4] ", limits: limits) == nil)
        #expect(parseError("[1,2,3,4]  ", limits: limits) == .inputTooLarge(limit: 10))
        #expect(parseError(bytes: Array(repeating: 0xFF, count: 11), limits: limits) == .inputTooLarge(limit: 10))
        #expect(parseError(String(repeating: " ", count: (1 << 20) + 1)) == .inputTooLarge(limit: 1 << 20))
        #expect(
            JSONLimits.default
                == JSONLimits(maxDepth: 32, maxStringBytes: 1 << 20, maxContainerCount: 10_000, maxTotalBytes: 1 << 20))
    }

    // MARK: - Messages and accessors

    @Test("Error messages are readable")
    func messages() {
        #expect(JSONError.empty.description == "The JSON text is empty.")
        #expect(
            JSONError.unexpectedByte(UInt8(ascii: "]"), offset: 3).description
                == "Unexpected character ']' at byte offset 3 of the JSON text.")
        #expect(
            JSONError.unexpectedByte(0xEF, offset: 0).description
                == "Unexpected byte 0xEF at byte offset 0 of the JSON text.")
        #expect(
            JSONError.unexpectedByte(0x0A, offset: 2).description
                == "Unexpected byte 0x0A at byte offset 2 of the JSON text.")
        #expect(JSONError.duplicateKey("a\"b\n").description == #"Duplicate object key "a\"b\n" in the JSON text."#)
        #expect(
            JSONError.tooDeep(limit: 32).description == "The JSON text is nested deeper than the limit of 32 levels.")
        #expect(
            JSONError.duplicateKey(String(repeating: "x", count: 100)).description
                == "Duplicate object key \"\(String(repeating: "x", count: 64))\"… in the JSON text.")
    }

    @Test("Accessors and kind names")
    func accessors() throws {
        let value = try JSONParser.parse(#"[null, true, 1, "s", [], {}]"#)
        let elements = try #require(value.arrayValue)
        #expect(elements.map(\.kindName) == ["null", "boolean", "number", "string", "array", "object"])
        #expect(elements[1].boolValue == true)
        #expect(elements[3].stringValue == "s")
        #expect(elements[4].arrayValue == [])
        #expect(elements[5].objectValue == JSONObject())
        #expect(elements[0].boolValue == nil)
        #expect(elements[2].stringValue == nil)
        #expect(elements[3].arrayValue == nil)
        #expect(elements[4].objectValue == nil)
    }
}

@Suite("JSONObject")
struct JSONObjectTests {
    @Test("Subscript set appends new keys and replaces existing ones in place")
    func subscriptSet() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        object["b"] = "x"
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == "x")
        #expect(object.count == 3)
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object.removeValue(forKey: "b") == "x")
        #expect(object.removeValue(forKey: "zz") == nil)
        #expect(object.members.map(\.key) == ["c"])
        #expect(object.members.map(\.value) == [3])
    }

    @Test("Init keeps order; a repeated key replaces in place")
    func initFromMembers() {
        let object = JSONObject([("z", 1), ("y", 2), ("z", 3)])
        #expect(object.keys == ["z", "y"])
        #expect(object["z"] == 3)
    }

    @Test("Equality is order-sensitive")
    func equality() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == JSONObject([("a", 1), ("b", 2)]))
        #expect(JSONValue.number("1.0") != JSONValue.number("1"))
    }

    @Test("Indexed objects stay consistent after removals")
    func indexedRemovals() {
        var object = JSONObject()
        for index in 0..<30 { object["k\(index)"] = .integer(index) }
        for index in stride(from: 0, to: 30, by: 2) { object["k\(index)"] = nil }
        #expect(object.count == 15)
        #expect(object.keys == stride(from: 1, to: 30, by: 2).map { "k\($0)" })
        for index in 0..<30 {
            #expect(object["k\(index)"] == (index % 2 == 1 ? .integer(index) : nil))
        }
        object["k0"] = true
        #expect(object.keys.last == "k0")
        #expect(object["k0"] == true)
    }
}
