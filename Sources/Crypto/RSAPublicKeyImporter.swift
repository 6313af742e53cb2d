import COpenSSL

/// Builds RSA public keys straight from their numbers with `EVP_PKEY_fromdata`, skipping OpenSSL 3's DER decoder
/// framework: `d2i_PUBKEY` searches the decoder and key-management registries (locks, name comparisons) on every
/// call, which costs many times the import itself.
///
/// A `fromdata` context names the key type once (one key-management fetch) and can import any number of keys;
/// a few initialised contexts are kept, each used by one thread at a time.
final class RSAPublicKeyImporter: Sendable {
    private let idle: IdleContextShelf

    /// The process-wide importer.
    static let shared = RSAPublicKeyImporter()

    /// - Parameter maxIdle: how many idle contexts to keep; more are freed on return.
    init(maxIdle: Int = 4) {
        self.idle = IdleContextShelf(capacity: maxIdle)
    }

    /// A new RSA public EVP_PKEY (owned by the caller) with modulus `modulus` (big-endian bytes) and exponent
    /// 65537. OpenSSL checks nothing beyond the presence of both numbers; the caller vouches for the key policy.
    func publicKey(modulus: ArraySlice<UInt8>) throws(CryptoError) -> OpaquePointer {
        // OSSL_PARAM integers are unsigned native-endian byte strings.
        var nativeModulus = Array(modulus)
        if Self.isLittleEndian { nativeModulus.reverse() }
        // 65537 = 0x010001 reads the same in either byte order.
        var exponent: [UInt8] = [0x01, 0x00, 0x01]
        let context = try borrow()
        defer { idle.put(context) }
        var key: OpaquePointer? = nil
        let status = nativeModulus.withUnsafeMutableBufferPointer { n in
            exponent.withUnsafeMutableBufferPointer { e in
                OSSL_PKEY_PARAM_RSA_N.withCString { nName in
                    OSSL_PKEY_PARAM_RSA_E.withCString { eName in
                        var params = [
                            OSSL_PARAM_construct_BN(nName, n.baseAddress, n.count),
                            OSSL_PARAM_construct_BN(eName, e.baseAddress, e.count),
                            OSSL_PARAM_construct_end(),
                        ]
                        return EVP_PKEY_fromdata(context, &key, Self.publicKeySelection, &params)
                    }
                }
            }
        }
        guard status == 1, let key else { throw OpenSSLErrorQueue.failure("EVP_PKEY_fromdata (RSA public key)") }
        return key
    }

    /// `EVP_PKEY_PUBLIC_KEY` (a macro Swift does not import): the public key and any domain parameters.
    private static let publicKeySelection = Int32(
        OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS)

    private static let isLittleEndian = UInt16(1).littleEndian == 1

    private func borrow() throws(CryptoError) -> OpaquePointer {
        if let context = idle.take() { return context }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_new_from_name(RSA)")
        }
        guard EVP_PKEY_fromdata_init(context) == 1 else {
            EVP_PKEY_CTX_free(context)
            throw OpenSSLErrorQueue.failure("EVP_PKEY_fromdata_init")
        }
        return context
    }
}
