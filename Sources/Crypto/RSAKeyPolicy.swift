import COpenSSL

/// The only keys the protocol allows: RSA (not RSA-PSS-restricted), 2048-bit modulus, public exponent 65537.
/// Smaller exponents invite forgeries and larger moduli multiply verify cost (a cheap denial of service).
enum RSAKeyPolicy {
    static let modulusBits: Int32 = 2048
    static let publicExponent: UInt = 65537

    /// Throws `unsupportedKey` unless `key` is an RSA-2048 key with e = 65537.
    static func check(_ key: OpaquePointer) throws(CryptoError) {
        guard EVP_PKEY_is_a(key, "RSA") == 1 else {
            throw .unsupportedKey("not an RSA key (\(typeName(key)))")
        }
        let bits = EVP_PKEY_get_bits(key)
        guard bits == modulusBits else { throw .unsupportedKey("RSA key of \(bits) bits") }
        var exponent: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &exponent) == 1, let exponent else {
            OpenSSLErrorQueue.clear()
            throw .unsupportedKey("RSA key without a readable public exponent")
        }
        defer { BN_free(exponent) }
        let word = BN_get_word(exponent)
        guard word == publicExponent else {
            // BN_get_word returns all ones when the exponent does not fit a word.
            throw .unsupportedKey("RSA public exponent \(word == UInt.max ? "too large" : String(word))")
        }
    }

    private static func typeName(_ key: OpaquePointer) -> String {
        guard let name = EVP_PKEY_get0_type_name(key) else { return "unknown type" }
        return String(cString: name)
    }
}
