import COpenSSL

/// SHA-256 through OpenSSL, one-shot or incremental.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    /// The digest length in bytes.
    public static let digestLength = 32

    public init() {
        guard let context = EVP_MD_CTX_new(),
            EVP_DigestInit_ex2(context, OpenSSLAlgorithms.shared.sha256, nil) == 1
        else { fatalError("SHA-256 context setup failed: \(OpenSSLErrorQueue.drain())") }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let ok = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
        precondition(ok == 1, "EVP_DigestUpdate failed")
    }

    /// Feeds the UTF-8 bytes of `text`.
    public mutating func update(utf8 text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Feeds an array of bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest; consumes the hasher.
    public consuming func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestLength)
        var length: UInt32 = 0
        let ok = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(ok == 1 && length == 32, "EVP_DigestFinal_ex failed")
        return digest
    }

    /// SHA-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finish()
    }

    /// SHA-256 of the UTF-8 bytes of `text`.
    public static func hash(utf8 text: String) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(utf8: text)
        return hasher.finish()
    }
}
