import OlafCrypto

/// Conversation identifiers: `public` for the public channel, `c:` + 32 hex digits of SHA-256 over the sorted
/// participant fingerprints (this user included) for direct and group chats, so every member set has exactly
/// one conversation whoever started it.
public enum ConversationID {
    public static let publicChannel = "public"

    /// The identifier of the chat among `participants` (order and duplicates do not matter).
    public static func chat(participants: some Sequence<String>) -> String {
        let sorted = Set(participants).sorted()
        let digest = SHA256Hasher.hash(utf8: sorted.joined(separator: "\n"))
        return "c:" + digest.prefix(16).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}
