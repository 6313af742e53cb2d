import COpenSSL

/// An RSA-2048 (e = 65537) private key: signs with RSA-PSS and decrypts RSA-OAEP. Parsed once, reusable.
public final class RSAPrivateKey: @unchecked Sendable {
    // @unchecked Sendable: `key` is an EVP_PKEY built in `init` and never mutated afterwards; OpenSSL allows
    // concurrent operations on an immutable EVP_PKEY, and each operation runs on a context borrowed
    // exclusively from a PKeyContextPool. `publicKey` is itself Sendable.
    let key: OpaquePointer

    /// The matching public key.
    public let publicKey: RSAPublicKey

    private let signContexts: PKeyContextPool
    private let decryptContexts: PKeyContextPool

    /// Takes ownership of an EVP_PKEY holding a private key; checks the key policy.
    init(taking key: OpaquePointer) throws(CryptoError) {
        // The public half gets its own EVP_PKEY (from the SPKI encoding), so it can outlive this object.
        let publicKey: RSAPublicKey
        do {
            try RSAKeyPolicy.check(key)
            publicKey = try RSAPublicKey(spkiDER: RSAPublicKey.encodeSPKI(key))
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        self.key = key
        self.publicKey = publicKey
        self.signContexts = PKeyContextPool(key: key, operation: .pssSign)
        self.decryptContexts = PKeyContextPool(key: key, operation: .oaepDecrypt)
    }

    deinit { EVP_PKEY_free(key) }

    /// Generates a fresh RSA-2048 key with e = 65537.
    public static func generate() throws(CryptoError) -> RSAPrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_rsa_keygen_bits(context, RSAKeyPolicy.modulusBits) == 1,
            EVP_PKEY_generate(context, &key) == 1, let key
        else { throw OpenSSLErrorQueue.failure("RSA key generation") }
        // OpenSSL's default public exponent is 65537; the policy check below confirms it.
        return try RSAPrivateKey(taking: key)
    }

    /// RSA-PSS signature (SHA-256, MGF1-SHA-256, salt 32) over a SHA-256 `digest`; 256 bytes.
    public func signPSS(sha256Digest digest: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard digest.count == SHA256Hasher.digestLength else {
            throw .invalidLength(what: "SHA-256 digest", expected: "32 bytes", actual: digest.count)
        }
        guard let signature = try signContexts.transform(digest, capacity: 256), signature.count == 256 else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_sign")
        }
        return signature
    }

    /// RSA-PSS signature over `message` (hashed here with SHA-256).
    public func signPSS(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try signPSS(sha256Digest: SHA256Hasher.hash(message))
    }

    /// RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) decryption. Throws `decryptionFailed` for anything that
    /// was not encrypted to this key, including ciphertexts of the wrong length.
    public func decryptOAEP(_ ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard ciphertext.count == 256 else { throw .decryptionFailed }
        guard let plaintext = try decryptContexts.transform(ciphertext, capacity: 256) else { throw .decryptionFailed }
        return plaintext
    }
}
