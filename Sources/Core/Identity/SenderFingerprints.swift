import Synchronization
public import OlafCrypto

/// The fingerprint spellings of one key that deployed peers write (interop rule 4): base64 of SHA-256 over the
/// canonical one-line PEM (the only form we emit), over the 64-column PEM with and without a trailing newline,
/// and the hex of each digest in either case. Used to check that a `public_chat.sender` belongs to the signer
/// and that our own fingerprint is among a chat's participants. Every variant is derived from the key itself,
/// so accepting them cannot let one key claim another's identity.
public struct SenderFingerprints: Sendable {
    /// The canonical fingerprint (`RSAPublicKey.fingerprint`).
    public let canonical: String
    private let variants: LazyVariants

    /// Cheap: the other spellings are computed on first need (three SHA-256 digests and their text forms), and
    /// honest senders, which write the canonical one, never need them. A server builds this for every hello.
    public init(of key: RSAPublicKey) {
        canonical = key.fingerprint
        variants = LazyVariants(key: key)
    }

    /// Every spelling: the base64 ones and the lowercase hex ones (hex is compared case-insensitively, so
    /// look a claimed hex spelling up lowercased).
    public var spellings: [String] {
        let all = variants.value
        return Array(all.base64) + Array(all.hex)
    }

    /// Whether `claimed` is one of this key's fingerprint spellings (hex compared case-insensitively).
    public func matches(_ claimed: String) -> Bool {
        if claimed == canonical { return true }
        let all = variants.value
        return all.base64.contains(claimed) || (claimed.utf8.count == 64 && all.hex.contains(claimed.lowercased()))
    }

    /// The base64 and hex spellings of the canonical, 64-column and 64-column-with-trailing-newline PEM digests,
    /// computed once on first use.
    private final class LazyVariants: Sendable {
        private let key: RSAPublicKey
        private let computed = Mutex<(base64: Set<String>, hex: Set<String>)?>(nil)

        init(key: RSAPublicKey) { self.key = key }

        var value: (base64: Set<String>, hex: Set<String>) {
            if let done = computed.withLock({ $0 }) { return done }
            let wrapped = key.wrappedPEM(lineLength: 64)
            let digests = [
                SHA256Hasher.hash(utf8: key.canonicalPEM),
                SHA256Hasher.hash(utf8: wrapped),
                SHA256Hasher.hash(utf8: String(wrapped.dropLast())),
            ]
            let all = (
                base64: Set(digests.map { Base64.encode($0) }),
                hex: Set(digests.map { $0.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined() })
            )
            computed.withLock { $0 = all }
            return all
        }
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
