/// Reads and validates one received frame.
public enum OlafMessageDecoder {
    /// What to do with a `signed_data` whose `data` is a JSON object instead of a string (v1.1 peers).
    public enum ObjectDataPolicy: Sendable {
        /// Refuse it (`dataNotString`): the default, and the only choice where the signature must be checked.
        case reject
        /// Accept it, re-serialised in the Python layout (as below) and marked `dataWasObject`, so a server can
        /// pass it on from a neighbour for recipients to judge (interop rule 3); it never verifies here.
        case acceptForRelay
        /// Accept it re-serialised in Python's `json.dumps` layout (`", "` / `": "` separators, `\uXXXX` escapes
        /// for non-ASCII, keys in wire order), the layout senders sign (interop rules 2 and 14), so a client can
        /// verify the signature over it: the envelope verifies only if that re-serialisation reproduces the signed
        /// bytes. Everything else (counter, sender, participants) is checked as for string data.
        case verifyAsPython
    }

    /// Parses `bytes` (UTF-8 JSON text) into a validated `OlafMessage`.
    public static func decode(
        _ bytes: some Collection<UInt8>, limits: ProtocolLimits = .default,
        objectData: ObjectDataPolicy = .reject
    ) throws(ProtocolError) -> OlafMessage {
        guard bytes.count <= limits.maxFrameBytes else {
            throw .frameTooLarge(limit: limits.maxFrameBytes, actual: bytes.count)
        }
        let object = try parseObject(bytes, limits: limits, field: "frame")
        let type = try FieldReader(object).string("type", maxBytes: 64)
        switch type {
        case OlafMessage.signedDataType: return .signed(try envelope(object, limits: limits, objectData: objectData))
        case ClientListRequest.typeName: return .clientListRequest(try ClientListRequest(wire: object, limits: limits))
        case ClientList.typeName: return .clientList(try ClientList(wire: object, limits: limits))
        case ClientUpdate.typeName: return .clientUpdate(try ClientUpdate(wire: object, limits: limits))
        case ClientUpdateRequest.typeName:
            return .clientUpdateRequest(try ClientUpdateRequest(wire: object, limits: limits))
        default: throw .unknownMessageType(type)
        }
    }

    /// Parses a frame given as a String.
    public static func decode(
        _ text: String, limits: ProtocolLimits = .default,
        objectData: ObjectDataPolicy = .reject
    ) throws(ProtocolError) -> OlafMessage {
        try decode(Array(text.utf8), limits: limits, objectData: objectData)
    }

    private static func envelope(_ object: JSONObject, limits: ProtocolLimits, objectData: ObjectDataPolicy)
        throws(ProtocolError) -> SignedEnvelope
    {
        let reader = FieldReader(object)
        let counter = try self.counter(reader.value("counter"))
        let signature = try reader.base64("signature", maxChars: 1024)
        guard signature.count == 256 else {
            throw .invalidLength(field: "signature", expected: "256 bytes (RSA-2048)", actual: signature.count)
        }
        let data = try reader.value("data")
        let dataString: String
        let inner: JSONObject
        let source: SignedEnvelope.DataSource
        switch (data, objectData) {
        case (.string(let text), _):
            dataString = text
            inner = try parseObject(Array(text.utf8), limits: limits, field: "data")
            source = .received
        case (.object(let object), .acceptForRelay), (.object(let object), .verifyAsPython):
            inner = object
            // In the Python `json.dumps` layout senders sign (interop rule 2): a relay copy passed on as a string
            // in this layout verifies at every client downstream, whatever it does with object data.
            dataString = JSONWriter.python(.object(object))
            // `\uXXXX` escapes can make the text up to 6 times longer than the frame that carried it: cap it.
            guard dataString.utf8.count <= limits.maxFrameBytes else {
                throw .frameTooLarge(limit: limits.maxFrameBytes, actual: dataString.utf8.count)
            }
            source = objectData == .acceptForRelay ? .objectForRelay : .objectAsPython
        case (.object, .reject):
            throw .dataNotString
        default:
            throw .wrongType(field: "data", expected: "a string holding a JSON object", actual: data.kindName)
        }
        return SignedEnvelope(
            dataString: dataString, counter: counter, signature: signature,
            payload: try SignedPayload(wire: inner, limits: limits), dataSource: source)
    }

    private static func counter(_ value: JSONValue) throws(ProtocolError) -> UInt64 {
        guard case .number(let text) = value else {
            throw .wrongType(field: "counter", expected: "an integer", actual: value.kindName)
        }
        guard let counter = value.uint64Value else {
            if text.hasPrefix("-") { throw .invalidCounter("\(text.prefix(32)) is negative") }
            if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                throw .invalidCounter("\(text.prefix(32)) is not a whole number written in digits")
            }
            throw .invalidCounter("\(text.prefix(32))… does not fit in 64 bits")
        }
        return counter
    }

    private static func parseObject(_ bytes: some Collection<UInt8>, limits: ProtocolLimits, field: String)
        throws(ProtocolError) -> JSONObject
    {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: limits.json)
        } catch {
            throw .malformedJSON(error)
        }
        guard case .object(let object) = value else { throw .notAnObject(field: field) }
        return object
    }
}
