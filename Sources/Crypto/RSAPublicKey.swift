import COpenSSL

/// An RSA-2048 (e = 65537) public key, parsed once and reusable: verifying many messages from one sender, or
/// encrypting to one recipient many times, never re-parses the PEM.
public final class RSAPublicKey: @unchecked Sendable, Hashable, CustomStringConvertible {
    // @unchecked Sendable: `key` is an EVP_PKEY created in `init` and never mutated afterwards (OpenSSL allows
    // concurrent use of an immutable EVP_PKEY); every operation runs on a context borrowed exclusively from a
    // PKeyContextPool; all other stored properties are immutable values.
    let key: OpaquePointer

    /// DER of the SubjectPublicKeyInfo, as OpenSSL re-encodes it (canonical DER).
    public let spkiDER: [UInt8]
    /// The protocol's canonical PEM (one base64 line, no trailing newline): what we emit on the wire.
    public let canonicalPEM: String
    /// `base64(sha256(canonicalPEM))`: the user's identity in the protocol.
    public let fingerprint: String

    private let verifyContexts: PKeyContextPool
    private let encryptContexts: PKeyContextPool

    /// Parses a SubjectPublicKeyInfo PEM in any line layout; refuses anything but RSA-2048 with e = 65537.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(spkiDER: PEM.decodeBlock(pem))
    }

    /// Parses DER-encoded SubjectPublicKeyInfo; refuses anything but RSA-2048 with e = 65537.
    ///
    /// The usual input, the canonical 294-byte encoding of such a key, is imported directly from its modulus
    /// (see `CanonicalRSASPKI`); anything else goes through OpenSSL's general decoder and the key policy, and
    /// comes out re-encoded canonically. Both ways accept and refuse the same inputs.
    public convenience init(spkiDER der: [UInt8]) throws(CryptoError) {
        if let modulus = CanonicalRSASPKI.modulus(in: der) {
            // The layout fixes RSA, 2048 bits and e = 65537, and is its own canonical encoding.
            try self.init(taking: RSAPublicKeyImporter.shared.publicKey(modulus: modulus), canonicalDER: der)
        } else {
            try self.init(decodingSPKI: der)
        }
    }

    /// The general path: OpenSSL's DER decoder, the key policy, and OpenSSL's canonical re-encoding.
    convenience init(decodingSPKI der: [UInt8]) throws(CryptoError) {
        guard !der.isEmpty else { throw .invalidPEM("empty DER") }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            // Refuse trailing bytes after the DER structure: the key must be exactly what was sent.
            if let key, cursor != buffer.baseAddress! + buffer.count {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let parsed else {
            OpenSSLErrorQueue.clear()
            throw .invalidPEM("the body is not a DER SubjectPublicKeyInfo")
        }
        let canonicalDER: [UInt8]
        do {
            try RSAKeyPolicy.check(parsed)
            canonicalDER = try Self.encodeSPKI(parsed)
        } catch {
            EVP_PKEY_free(parsed)
            throw error
        }
        self.init(taking: parsed, canonicalDER: canonicalDER)
    }

    /// Takes ownership of an EVP_PKEY that satisfies `RSAKeyPolicy` and whose canonical SPKI DER is
    /// `canonicalDER`.
    init(taking key: OpaquePointer, canonicalDER der: [UInt8]) {
        // Debug builds (the tests) double-check what the fast path takes for granted.
        assert(
            (try? RSAKeyPolicy.check(key)) != nil && (try? Self.encodeSPKI(key)) == der,
            "the key breaks the policy or its canonical DER differs")
        self.key = key
        self.spkiDER = der
        self.canonicalPEM = PEM.canonical(der: der)
        self.fingerprint = Base64.encode(SHA256Hasher.hash(utf8: canonicalPEM))
        self.verifyContexts = PKeyContextPool(key: key, operation: .pssVerify)
        self.encryptContexts = PKeyContextPool(key: key, operation: .oaepEncrypt)
    }

    deinit { EVP_PKEY_free(key) }

    /// The canonical DER SubjectPublicKeyInfo of an EVP_PKEY (public or private).
    static func encodeSPKI(_ key: OpaquePointer) throws(CryptoError) -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { throw OpenSSLErrorQueue.failure("i2d_PUBKEY") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key, &cursor)
        }
        guard written == length else { throw OpenSSLErrorQueue.failure("i2d_PUBKEY") }
        return der
    }

    /// The PEM wrapped at `lineLength` columns with a trailing newline (the usual OpenSSL layout).
    public func wrappedPEM(lineLength: Int = 64) -> String {
        PEM.wrapped(der: spkiDER, lineLength: lineLength)
    }

    /// Checks an RSA-PSS (SHA-256, MGF1-SHA-256, any salt length) signature over a SHA-256 `digest`.
    /// Returns false for a wrong, truncated or garbage signature; never throws for bad input.
    public func isValidPSSSignature(_ signature: [UInt8], sha256Digest digest: [UInt8]) -> Bool {
        guard digest.count == SHA256Hasher.digestLength, signature.count == 256 else { return false }
        let result: Int32
        do {
            result = try verifyContexts.withContext { context in
                signature.withUnsafeBufferPointer { sig in
                    digest.withUnsafeBufferPointer { md in
                        EVP_PKEY_verify(context, sig.baseAddress, sig.count, md.baseAddress, md.count)
                    }
                }
            }
        } catch {
            return false
        }
        if result != 1 { OpenSSLErrorQueue.clear() }
        return result == 1
    }

    /// Checks an RSA-PSS signature over `message` (hashed here with SHA-256).
    public func isValidPSSSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        isValidPSSSignature(signature, sha256Digest: SHA256Hasher.hash(message))
    }

    /// RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) encryption of at most 190 bytes.
    public func encryptOAEP(_ plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard plaintext.count <= 190 else {
            throw .invalidLength(what: "OAEP plaintext", expected: "at most 190 bytes", actual: plaintext.count)
        }
        guard let wrapped = try encryptContexts.transform(plaintext, capacity: 256), wrapped.count == 256 else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_encrypt")
        }
        return wrapped
    }

    public static func == (lhs: RSAPublicKey, rhs: RSAPublicKey) -> Bool { lhs.spkiDER == rhs.spkiDER }
    /// Hashes the DER as one byte block (`combine([UInt8])` would feed the 294 bytes one call at a time; client
    /// lists deduplicate thousands of keys per push).
    public func hash(into hasher: inout Hasher) { spkiDER.withUnsafeBytes { hasher.combine(bytes: $0) } }
    public var description: String { "RSAPublicKey(\(fingerprint))" }
}
