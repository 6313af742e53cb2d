public import OlafCrypto

/// Keys found by any fingerprint spelling `SenderFingerprints` accepts (canonical, 64-column, hex in either
/// case), in constant time.
///
/// Each key's spellings are computed once, when it is inserted. A lookup is then one or two hash-table probes,
/// whatever the spelling and however many keys are known, so a peer that sends frames naming made-up senders
/// or participants cannot make us hash every key we know for each frame.
public struct FingerprintIndex: Sendable {
    private var keysBySpelling: [String: RSAPublicKey] = [:]
    private var spellingsByFingerprint: [String: [String]] = [:]

    public init() {}

    public init(_ keys: some Sequence<RSAPublicKey>) {
        for key in keys { insert(key) }
    }

    /// Number of keys indexed.
    public var count: Int { spellingsByFingerprint.count }

    /// The canonical fingerprints of the indexed keys.
    public var fingerprints: [String] { Array(spellingsByFingerprint.keys) }

    /// Whether the key with this canonical fingerprint is indexed.
    public func contains(fingerprint: String) -> Bool { spellingsByFingerprint[fingerprint] != nil }

    /// The key whose fingerprint, in any accepted spelling, is `claimed`.
    public func key(for claimed: String) -> RSAPublicKey? {
        if let key = keysBySpelling[claimed] { return key }
        guard claimed.utf8.count == 64 else { return nil }
        return keysBySpelling[claimed.lowercased()]
    }

    /// Adds `key` (no work when it is already indexed).
    public mutating func insert(_ key: RSAPublicKey) {
        guard spellingsByFingerprint[key.fingerprint] == nil else { return }
        let spellings = SenderFingerprints(of: key).spellings
        spellingsByFingerprint[key.fingerprint] = spellings
        for spelling in spellings { keysBySpelling[spelling] = key }
    }

    /// Removes the key with this canonical fingerprint, if indexed.
    public mutating func remove(fingerprint: String) {
        guard let spellings = spellingsByFingerprint.removeValue(forKey: fingerprint) else { return }
        for spelling in spellings { keysBySpelling[spelling] = nil }
    }

    /// Keeps exactly `keys`: spellings of keys already indexed are reused, only new keys are hashed.
    public mutating func replaceAll(with keys: [RSAPublicKey]) {
        let wanted = Set(keys.map(\.fingerprint))
        for fingerprint in Array(spellingsByFingerprint.keys) where !wanted.contains(fingerprint) {
            remove(fingerprint: fingerprint)
        }
        for key in keys { insert(key) }
    }
}
