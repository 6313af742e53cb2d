import OlafCrypto

/// `chat`: an end-to-end encrypted message. Servers route it by `destinationServers`; only recipients can
/// open it (see `ChatCipher`).
public struct ChatData: WireMessage, Equatable {
    public static let typeName = "chat"
    /// Size of one RSA-2048 OAEP-wrapped AES key.
    public static let wrappedKeyLength = 256
    /// Recipients' home servers as written on the wire. Deployed clients list each home server once (a group of
    /// two on one server: two `symm_keys`, one destination); others list one per recipient, duplicates included.
    /// Any non-empty list is valid, whatever its length relative to `symmKeys` (interop rule 11).
    public let destinationServers: [String]
    /// `destinationServers` parsed, for comparison with our own and our neighbours' addresses.
    public let destinations: [ServerAddress]
    /// `destinations` without repeats, in order of first appearance: route to each of these once.
    public var distinctDestinations: [ServerAddress] {
        var seen = Set<ServerAddress>()
        return destinations.filter { seen.insert($0).inserted }
    }
    /// The 16-byte AES-GCM IV.
    public let iv: [UInt8]
    /// The AES key wrapped with RSA-OAEP for each recipient, in recipient order (256 bytes each).
    public let symmKeys: [[UInt8]]
    /// AES-GCM ciphertext with the 16-byte tag appended.
    public let ciphertext: [UInt8]

    /// Builds a chat from parts, validating them as a received one would be.
    public init(
        destinationServers: [String], iv: [UInt8], symmKeys: [[UInt8]], ciphertext: [UInt8],
        limits: ProtocolLimits = .default
    ) throws(ProtocolError) {
        var object = JSONObject()
        object["type"] = .string(Self.typeName)
        object["destination_servers"] = .array(destinationServers.map { .string($0) })
        object["iv"] = .string(Base64.encode(iv))
        object["symm_keys"] = .array(symmKeys.map { .string(Base64.encode($0)) })
        object["chat"] = .string(Base64.encode(ciphertext))
        try self.init(wire: object, limits: limits)
    }

    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        let reader = FieldReader(object, prefix: "data.")
        destinationServers = try reader.stringArray(
            "destination_servers", maxCount: limits.maxRecipients, maxBytesEach: limits.maxAddressBytes)
        guard !destinationServers.isEmpty else { throw .empty(field: "data.destination_servers") }
        var destinations: [ServerAddress] = []
        for server in destinationServers {
            destinations.append(try FieldReader.parseAddress(server, field: "data.destination_servers", limits: limits))
        }
        self.destinations = destinations

        iv = try reader.base64("iv", maxChars: 64)
        guard iv.count == AESGCM.ivLength else {
            throw .invalidLength(field: "data.iv", expected: "16 bytes", actual: iv.count)
        }

        let wrappedKeys = try reader.stringArray("symm_keys", maxCount: limits.maxRecipients, maxBytesEach: 1024)
        guard !wrappedKeys.isEmpty else { throw .empty(field: "data.symm_keys") }
        var symmKeys: [[UInt8]] = []
        for wrapped in wrappedKeys {
            let bytes = try FieldReader.decodeBase64(wrapped, field: "data.symm_keys")
            guard bytes.count == Self.wrappedKeyLength else {
                throw .invalidLength(
                    field: "data.symm_keys", expected: "256 bytes (RSA-2048 OAEP)", actual: bytes.count)
            }
            symmKeys.append(bytes)
        }
        self.symmKeys = symmKeys

        ciphertext = try reader.base64("chat", maxChars: limits.maxChatCiphertextChars)
        guard ciphertext.count >= AESGCM.tagLength else {
            throw .invalidLength(field: "data.chat", expected: "at least the 16-byte tag", actual: ciphertext.count)
        }
    }

    public var wireObject: JSONObject {
        [
            "type": .string(Self.typeName),
            "destination_servers": .array(destinationServers.map { .string($0) }),
            "iv": .string(Base64.encode(iv)),
            "symm_keys": .array(symmKeys.map { .string(Base64.encode($0)) }),
            "chat": .string(Base64.encode(ciphertext)),
        ]
    }
}
