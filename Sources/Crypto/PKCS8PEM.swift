import COpenSSL

/// Reading and writing private keys as PKCS#8 PEM: plain (`BEGIN PRIVATE KEY`, for test vectors) and
/// passphrase-encrypted (`BEGIN ENCRYPTED PRIVATE KEY`, for keystores; PBES2 with PBKDF2-HMAC-SHA256 and
/// AES-256-CBC, which `openssl pkey -passin` opens).
extension RSAPrivateKey {
    /// The minimum PBKDF2 iteration count we write (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
    public static let minimumKeystoreIterations: Int32 = 600_000

    /// Parses an unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public convenience init(pkcs8PEM pem: String) throws(CryptoError) {
        let key = try MemoryBIO.reading(pem) { bio throws(CryptoError) -> OpaquePointer in
            guard let info = PEM_read_bio_PKCS8_PRIV_KEY_INFO(bio, nil, nil, nil) else {
                OpenSSLErrorQueue.clear()
                throw .invalidPEM("not an unencrypted PKCS#8 private key (\"BEGIN PRIVATE KEY\")")
            }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            guard let key = EVP_PKCS82PKEY(info) else {
                OpenSSLErrorQueue.clear()
                throw .invalidPEM("the PKCS#8 structure holds no usable private key")
            }
            return key
        }
        try self.init(taking: key)
    }

    /// Parses a passphrase-encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`).
    /// Throws `wrongPassphrase` when the passphrase does not open it, `malformedKeyFile` for damaged files.
    public convenience init(encryptedPKCS8PEM pem: String, passphrase: String) throws(CryptoError) {
        let key = try MemoryBIO.reading(pem) { bio throws(CryptoError) -> OpaquePointer in
            guard let sealed = PEM_read_bio_PKCS8(bio, nil, nil, nil) else {
                OpenSSLErrorQueue.clear()
                throw .malformedKeyFile("no complete \"BEGIN ENCRYPTED PRIVATE KEY\" block")
            }
            defer { X509_SIG_free(sealed) }
            let passBytes = Array(passphrase.utf8)
            let info = passBytes.withUnsafeBufferPointer { pass in
                pass.withMemoryRebound(to: CChar.self) { PKCS8_decrypt(sealed, $0.baseAddress, Int32($0.count)) }
            }
            guard let info else {
                OpenSSLErrorQueue.clear()
                throw .wrongPassphrase
            }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            guard let key = EVP_PKCS82PKEY(info) else {
                OpenSSLErrorQueue.clear()
                throw .malformedKeyFile("the decrypted structure holds no usable private key")
            }
            return key
        }
        try self.init(taking: key)
    }

    /// Unencrypted PKCS#8 PEM. Only for test vectors and tests: never write this to disk for a real key.
    public func pkcs8PEM() throws(CryptoError) -> String {
        try MemoryBIO.writing("PEM_write_bio_PKCS8PrivateKey") { bio in
            PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1
        }
    }

    /// Passphrase-encrypted PKCS#8 PEM: PBES2, PBKDF2-HMAC-SHA256 with `iterations` (at least 600,000) and a
    /// random 16-byte salt, AES-256-CBC. Readable by `openssl pkey -in FILE -passin ...`.
    public func encryptedPKCS8PEM(passphrase: String, iterations: Int32 = minimumKeystoreIterations)
        throws(CryptoError) -> String
    {
        guard iterations >= Self.minimumKeystoreIterations else {
            throw .invalidLength(what: "PBKDF2 iteration count", expected: "at least 600000", actual: Int(iterations))
        }
        guard let info = EVP_PKEY2PKCS8(key) else { throw OpenSSLErrorQueue.failure("EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        var salt = try SecureRandom.bytes(16)
        let passBytes = Array(passphrase.utf8)
        // pbe_nid -1 selects PBES2; OpenSSL 3 uses HMAC-SHA256 as the PBKDF2 PRF for PBES2 by default.
        let sealed = passBytes.withUnsafeBufferPointer { pass in
            salt.withUnsafeMutableBufferPointer { saltBuffer in
                pass.withMemoryRebound(to: CChar.self) { passChars in
                    PKCS8_encrypt(
                        -1, OpenSSLAlgorithms.shared.aes256CBC, passChars.baseAddress, Int32(passChars.count),
                        saltBuffer.baseAddress, Int32(saltBuffer.count), iterations, info)
                }
            }
        }
        guard let sealed else { throw OpenSSLErrorQueue.failure("PKCS8_encrypt") }
        defer { X509_SIG_free(sealed) }
        return try MemoryBIO.writing("PEM_write_bio_PKCS8") { bio in PEM_write_bio_PKCS8(bio, sealed) == 1 }
    }
}
