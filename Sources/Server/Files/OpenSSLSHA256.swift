import OlafCrypto

/// SHA-256 of uploads through OlafCrypto (OpenSSL), in the shape `FileStore` wants.
final class OpenSSLSHA256: StreamingHasher {
    private var hasher: SHA256Hasher? = SHA256Hasher()

    func update(_ bytes: UnsafeRawBufferPointer) { hasher?.update(bytes) }

    func finalize() -> [UInt8] {
        guard let hasher = hasher.take() else { preconditionFailure("finalize called twice") }
        return hasher.finish()
    }
}
