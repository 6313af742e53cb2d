import OlafCrypto

/// Typed, capped access to the members of a received JSON object. Every failure is a `ProtocolError` naming
/// the field as `prefix` + key (e.g. `data.symm_keys`).
struct FieldReader {
    let object: JSONObject
    let prefix: String

    init(_ object: JSONObject, prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    func name(_ key: String) -> String { prefix + key }

    func value(_ key: String) throws(ProtocolError) -> JSONValue {
        guard let value = object[key] else { throw .missingField(name(key)) }
        return value
    }

    func string(_ key: String, maxBytes: Int) throws(ProtocolError) -> String {
        let value = try value(key)
        guard case .string(let text) = value else {
            throw .wrongType(field: name(key), expected: "a string", actual: value.kindName)
        }
        guard text.utf8.count <= maxBytes else {
            throw .tooLong(field: name(key), limit: maxBytes, actual: text.utf8.count)
        }
        return text
    }

    func nonEmptyString(_ key: String, maxBytes: Int) throws(ProtocolError) -> String {
        let text = try string(key, maxBytes: maxBytes)
        guard !text.isEmpty else { throw .empty(field: name(key)) }
        return text
    }

    func array(_ key: String, maxCount: Int) throws(ProtocolError) -> [JSONValue] {
        let value = try value(key)
        guard case .array(let items) = value else {
            throw .wrongType(field: name(key), expected: "an array", actual: value.kindName)
        }
        guard items.count <= maxCount else { throw .tooMany(field: name(key), limit: maxCount, actual: items.count) }
        return items
    }

    func stringArray(_ key: String, maxCount: Int, maxBytesEach: Int) throws(ProtocolError) -> [String] {
        var strings: [String] = []
        for item in try array(key, maxCount: maxCount) {
            guard case .string(let text) = item else {
                throw .wrongType(
                    field: name(key), expected: "an array of strings", actual: "an array holding \(item.kindName)")
            }
            guard text.utf8.count <= maxBytesEach else {
                throw .tooLong(field: name(key), limit: maxBytesEach, actual: text.utf8.count)
            }
            strings.append(text)
        }
        return strings
    }

    func base64(_ key: String, maxChars: Int) throws(ProtocolError) -> [UInt8] {
        try Self.decodeBase64(string(key, maxBytes: maxChars), field: name(key))
    }

    static func decodeBase64(_ text: String, field: String) throws(ProtocolError) -> [UInt8] {
        guard let bytes = Base64.decode(text) else { throw .invalidBase64(field: field) }
        return bytes
    }

    func publicKey(_ key: String, limits: ProtocolLimits) throws(ProtocolError) -> RSAPublicKey {
        try Self.parsePublicKey(string(key, maxBytes: limits.maxPEMBytes), field: name(key))
    }

    static func parsePublicKey(_ pem: String, field: String) throws(ProtocolError) -> RSAPublicKey {
        do {
            return try RSAPublicKey(pem: pem)
        } catch {
            throw .invalidPublicKey(field: field, reason: error)
        }
    }

    func address(_ key: String, limits: ProtocolLimits) throws(ProtocolError) -> ServerAddress {
        try Self.parseAddress(string(key, maxBytes: limits.maxAddressBytes), field: name(key), limits: limits)
    }

    static func parseAddress(_ text: String, field: String, limits: ProtocolLimits) throws(ProtocolError)
        -> ServerAddress
    {
        do {
            return try ServerAddress(parsing: text, maxLength: limits.maxAddressBytes)
        } catch {
            throw .invalidAddress(field: field, reason: error)
        }
    }
}
