import COpenSSL

/// A temporary `OSSL_PARAM` array of UTF-8 string parameters, for OpenSSL calls that take all their settings in one
/// go (such as `EVP_PKEY_verify_init_ex`) instead of one control call, and one name lookup, per setting.
enum OSSLStringParameters {
    /// Runs `body` with a terminated parameter array holding `pairs` (name, value); the C strings live until
    /// `body` returns.
    static func with<R>(_ pairs: [(name: String, value: String)], _ body: (UnsafePointer<OSSL_PARAM>) -> R) -> R {
        let capacity = pairs.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
        let storage = UnsafeMutableBufferPointer<CChar>.allocate(capacity: capacity)
        defer { storage.deallocate() }
        var offset = 0
        func copy(_ text: String) -> UnsafeMutablePointer<CChar> {
            let start = storage.baseAddress! + offset
            for byte in text.utf8 {
                storage[offset] = CChar(bitPattern: byte)
                offset += 1
            }
            storage[offset] = 0
            offset += 1
            return start
        }
        var parameters = pairs.map { pair in
            OSSL_PARAM_construct_utf8_string(copy(pair.name), copy(pair.value), 0)
        }
        parameters.append(OSSL_PARAM_construct_end())
        return parameters.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
