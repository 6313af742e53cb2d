public import OlafCrypto

/// The fingerprint spellings of one key that deployed peers write (interop rule 4): base64 of SHA-256 over the
/// canonical one-line PEM (the only form we emit), over the 64-column PEM with and without a trailing newline,
/// and the hex of each digest in either case. Used to check that a `public_chat.sender` belongs to the signer
/// and that our own fingerprint is among a chat's participants. Every variant is derived from the key itself,
/// so accepting them cannot let one key claim another's identity.
public struct SenderFingerprints: Sendable {
    /// The canonical fingerprint (`RSAPublicKey.fingerprint`).
    public let canonical: String
    private let base64Variants: Set<String>
    private let hexVariants: Set<String>

    public init(of key: RSAPublicKey) {
        let wrapped = key.wrappedPEM(lineLength: 64)
        let digests = [
            SHA256Hasher.hash(utf8: key.canonicalPEM),
            SHA256Hasher.hash(utf8: wrapped),
            SHA256Hasher.hash(utf8: String(wrapped.dropLast())),
        ]
        canonical = key.fingerprint
        base64Variants = Set(digests.map { Base64.encode($0) })
        hexVariants = Set(digests.map { $0.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined() })
    }

    /// Every spelling: the base64 ones and the lowercase hex ones (hex is compared case-insensitively, so
    /// look a claimed hex spelling up lowercased).
    public var spellings: [String] { Array(base64Variants) + Array(hexVariants) }

    /// Whether `claimed` is one of this key's fingerprint spellings (hex compared case-insensitively).
    public func matches(_ claimed: String) -> Bool {
        base64Variants.contains(claimed) || (claimed.utf8.count == 64 && hexVariants.contains(claimed.lowercased()))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension PublicChatData {
    /// Throws `senderMismatch` unless `sender` is a fingerprint spelling of `signer` (the key the envelope
    /// verified under).
    public func checkSender(against signer: SenderFingerprints) throws(ProtocolError) {
        guard signer.matches(sender) else { throw .senderMismatch }
    }
}
