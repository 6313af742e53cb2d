/// Every size and count cap the protocol layer enforces, in one place. Servers and clients pass their
/// configured limits; nothing else in Core hard-codes a cap.
public struct ProtocolLimits: Sendable, Equatable {
    /// Largest frame (UTF-8 bytes of one WebSocket text message) accepted.
    public var maxFrameBytes: Int
    /// Largest chat or public_chat text, in UTF-8 bytes.
    public var maxMessageBytes: Int
    /// Most recipients of one chat (`destination_servers` / `symm_keys` entries). Every `symm_keys` entry can cost
    /// each receiving client one RSA private-key operation (the protocol gives no index), so it is kept to what
    /// a group chat needs (32; it was 64).
    public var maxRecipients: Int
    /// Largest base64 `chat` ciphertext field, in characters.
    public var maxChatCiphertextChars: Int
    /// Largest PEM text of one public key.
    public var maxPEMBytes: Int
    /// Largest server address string.
    public var maxAddressBytes: Int
    /// Largest `sender` fingerprint string of a public_chat (hex variants are 64 characters).
    public var maxFingerprintBytes: Int
    /// Most clients listed for one server in `client_update` / `client_list`.
    public var maxClientsPerServer: Int
    /// Most servers in one `client_list`.
    public var maxServersInList: Int
    /// Most participants in a decrypted chat.
    public var maxParticipants: Int
    /// Nesting depth of any JSON we parse (frames, data strings, chat plaintexts).
    public var maxJSONDepth: Int
    /// Longest single JSON string (or key) in UTF-8 bytes, on top of the frame cap (the effective cap is the
    /// smaller of the two). A v1.2 envelope's `data` is one string holding the whole payload, so this must
    /// leave room for the largest chat.
    public var maxJSONStringBytes: Int

    public init(
        maxFrameBytes: Int = 1 << 20, maxMessageBytes: Int = 64 << 10, maxRecipients: Int = 32,
        maxChatCiphertextChars: Int = 128 << 10, maxPEMBytes: Int = 4096, maxAddressBytes: Int = 300,
        maxFingerprintBytes: Int = 128, maxClientsPerServer: Int = 10_000, maxServersInList: Int = 1000,
        maxParticipants: Int = 65, maxJSONDepth: Int = 16, maxJSONStringBytes: Int = 1 << 20
    ) {
        self.maxFrameBytes = maxFrameBytes
        self.maxMessageBytes = maxMessageBytes
        self.maxRecipients = maxRecipients
        self.maxChatCiphertextChars = maxChatCiphertextChars
        self.maxPEMBytes = maxPEMBytes
        self.maxAddressBytes = maxAddressBytes
        self.maxFingerprintBytes = maxFingerprintBytes
        self.maxClientsPerServer = maxClientsPerServer
        self.maxServersInList = maxServersInList
        self.maxParticipants = maxParticipants
        self.maxJSONDepth = maxJSONDepth
        self.maxJSONStringBytes = maxJSONStringBytes
    }

    /// Defaults suitable for a server reading from clients and neighbours.
    public static let `default` = ProtocolLimits()

    /// The JSON parser limits implied by these protocol limits.
    public var json: JSONLimits {
        JSONLimits(
            maxDepth: maxJSONDepth, maxStringBytes: min(maxJSONStringBytes, maxFrameBytes),
            maxContainerCount: max(maxClientsPerServer, maxServersInList, maxRecipients, maxParticipants, 16),
            maxTotalBytes: maxFrameBytes)
    }
}
