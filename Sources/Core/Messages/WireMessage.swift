/// A protocol message that can be read from and written to its JSON object form (inner `data` objects of
/// signed envelopes, and the unsigned messages). Reading validates every field against `ProtocolLimits`.
///
/// Conforming types are also `Codable`: `JSONDecoder`/`JSONEncoder` go through the same validation, for code that
/// prefers Codable. The relay's hot path uses `OlafMessageDecoder`, which keeps the exact received `data` string.
public protocol WireMessage: Sendable, Codable {
    /// The `type` field's value.
    static var typeName: String { get }
    /// Reads and validates the object (its `type` has already been matched to `typeName`).
    init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError)
    /// The object in the field order the protocol documents, `type` first.
    var wireObject: JSONObject { get }
}

extension WireMessage {
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        guard case .object(let object) = value else { throw ProtocolError.notAnObject(field: Self.typeName) }
        guard object["type"]?.stringValue == Self.typeName else {
            throw ProtocolError.unexpectedMessage(
                expected: Self.typeName, actual: object["type"]?.stringValue ?? "no type")
        }
        try self.init(wire: object, limits: .default)
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONValue.object(wireObject).encode(to: encoder)
    }
}
