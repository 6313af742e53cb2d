/// A parsed JSON value. Numbers keep their exact source text so integers of any size and the exact digits survive.
///
/// Equality is exact, never "semantic": strings compare by their Unicode scalars (not by Swift's
/// canonical equivalence, so `"\u{E9}"` and `"e\u{301}"` differ), numbers compare by their text
/// (so `1.0` and `1` differ), and objects compare member by member in order.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// Exact source text, already validated against the JSON number grammar when it came from the parser.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A number holding the decimal digits of `value`.
    public static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(String(value))
    }

    /// The string if this is a `.string`, else nil.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements if this is an `.array`, else nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object if this is an `.object`, else nil.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The boolean if this is a `.bool`, else nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Non-negative integer written as plain digits only (no sign, fraction or exponent), that fits UInt64; else nil.
    public var uint64Value: UInt64? {
        guard case .number(let text) = self else { return nil }
        let utf8 = text.utf8
        guard let first = utf8.first else { return nil }
        // A leading zero is only allowed for "0" itself (the JSON grammar forbids "007").
        if first == UInt8(ascii: "0") { return utf8.count == 1 ? 0 : nil }
        for byte in utf8 where byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") {
            return nil
        }
        return UInt64(text)  // nil on overflow
    }

    /// A human name of the kind: "null", "boolean", "number", "string", "array", "object" (used in error messages).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): exactlyEqual(a, b)
        case (.string(let a), .string(let b)): exactlyEqual(a, b)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { JSONWriter.compact(self) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Builds an `.object` keeping the literal's member order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

/// Compares two strings by their exact UTF-8 bytes (i.e. by Unicode scalars), unlike `==` on
/// `String`, which uses canonical equivalence (e.g. U+212A KELVIN SIGN == "K").
@inline(__always)
func exactlyEqual(_ a: String, _ b: String) -> Bool {
    let aBytes = a.utf8
    let bBytes = b.utf8
    guard aBytes.count == bBytes.count else { return false }
    let fast = aBytes.withContiguousStorageIfAvailable { aBuffer in
        bBytes.withContiguousStorageIfAvailable { bBuffer in aBuffer.elementsEqual(bBuffer) }
    }
    if let fast, let result = fast { return result }
    return aBytes.elementsEqual(bBytes)
}
