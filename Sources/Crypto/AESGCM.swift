import COpenSSL

/// AES-128-GCM as the protocol uses it: 16-byte key, 16-byte IV, no associated data, 16-byte tag appended.
public enum AESGCM {
    public static let keyLength = 16
    public static let ivLength = 16
    public static let tagLength = 16

    /// Encrypts `plaintext`; returns ciphertext followed by the 16-byte tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        try checkSizes(key: key, iv: iv)
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSLErrorQueue.failure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        try initialise(context, key: key, iv: iv, encrypting: true)
        var output = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            var written: Int32 = 0
            var finalWritten: Int32 = 0
            let base = out.baseAddress!
            let updated =
                plaintext.isEmpty
                || plaintext.withUnsafeBufferPointer {
                    EVP_EncryptUpdate(context, base, &written, $0.baseAddress, Int32($0.count)) == 1
                }
            return updated
                && EVP_EncryptFinal_ex(context, base + Int(written), &finalWritten) == 1
                && Int(written + finalWritten) == plaintext.count
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), base + plaintext.count) == 1
        }
        guard ok else { throw OpenSSLErrorQueue.failure("AES-GCM seal") }
        return output
    }

    /// Decrypts ciphertext-with-tag; throws `authenticationFailed` if the tag does not match.
    public static func open(_ sealed: [UInt8], key: [UInt8], iv: [UInt8]) throws(CryptoError) -> [UInt8] {
        try checkSizes(key: key, iv: iv)
        guard sealed.count >= tagLength else { throw .authenticationFailed }
        let ciphertextLength = sealed.count - tagLength
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSLErrorQueue.failure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        try initialise(context, key: key, iv: iv, encrypting: false)
        var output = [UInt8](repeating: 0, count: ciphertextLength + tagLength)
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            sealed.withUnsafeBufferPointer { input -> Bool in
                var written: Int32 = 0
                var finalWritten: Int32 = 0
                let base = out.baseAddress!
                let inputBase = input.baseAddress!
                let updated =
                    ciphertextLength == 0
                    || EVP_DecryptUpdate(context, base, &written, inputBase, Int32(ciphertextLength)) == 1
                // The tag parameter is read-only for OpenSSL despite the non-const prototype.
                let tag = UnsafeMutableRawPointer(mutating: inputBase + ciphertextLength)
                return updated
                    && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), tag) == 1
                    && EVP_DecryptFinal_ex(context, base + Int(written), &finalWritten) == 1
            }
        }
        guard ok else {
            OpenSSLErrorQueue.clear()
            throw .authenticationFailed
        }
        return Array(output[0..<ciphertextLength])
    }

    private static func checkSizes(key: [UInt8], iv: [UInt8]) throws(CryptoError) {
        guard key.count == keyLength else {
            throw .invalidLength(what: "AES-128 key", expected: "16 bytes", actual: key.count)
        }
        guard iv.count == ivLength else {
            throw .invalidLength(what: "AES-GCM IV", expected: "16 bytes", actual: iv.count)
        }
    }

    private static func initialise(_ context: OpaquePointer, key: [UInt8], iv: [UInt8], encrypting: Bool)
        throws(CryptoError)
    {
        let cipher = OpenSSLAlgorithms.shared.aes128GCM
        let ok = key.withUnsafeBufferPointer { keyBuffer in
            iv.withUnsafeBufferPointer { ivBuffer in
                EVP_CipherInit_ex2(context, cipher, nil, nil, encrypting ? 1 : 0, nil) == 1
                    && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(ivLength), nil) == 1
                    && EVP_CipherInit_ex2(context, nil, keyBuffer.baseAddress, ivBuffer.baseAddress, -1, nil) == 1
            }
        }
        guard ok else { throw OpenSSLErrorQueue.failure("AES-GCM init") }
    }
}
