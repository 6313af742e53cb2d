import COpenSSL

/// Helpers for OpenSSL memory BIOs, which the PEM and PKCS#8 routines read from and write to.
enum MemoryBIO {
    /// Runs `body` with a read-only BIO over the UTF-8 bytes of `text`; the BIO is freed afterwards.
    static func reading<R>(_ text: String, _ body: (OpaquePointer) throws(CryptoError) -> R) throws(CryptoError) -> R {
        let bytes = Array(text.utf8)
        guard bytes.count < Int32.max else { throw .invalidPEM("input too large") }
        let result: Result<R, CryptoError> = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                return .failure(OpenSSLErrorQueue.failure("BIO_new_mem_buf"))
            }
            defer { BIO_free(bio) }
            do throws(CryptoError) { return .success(try body(bio)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Runs `write` against a fresh memory BIO and returns what it wrote as a String.
    static func writing(_ operation: String, _ write: (OpaquePointer) -> Bool) throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLErrorQueue.failure("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) else { throw OpenSSLErrorQueue.failure(operation) }
        let pending = Int(BIO_ctrl_pending(bio))
        var buffer = [UInt8](repeating: 0, count: pending)
        let read = buffer.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard read == pending else { throw OpenSSLErrorQueue.failure("BIO_read") }
        return String(decoding: buffer, as: UTF8.self)
    }
}
