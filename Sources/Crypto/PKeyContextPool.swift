import COpenSSL

/// A small pool of initialised `EVP_PKEY_CTX` objects for one key and one operation (sign, verify, encrypt or
/// decrypt with fixed padding parameters).
///
/// Creating and initialising a context costs several provider lookups in OpenSSL 3, as much as a verification
/// itself; an initialised context can run the same operation again and again (this is what `openssl speed`
/// does). A context is used by one thread at a time: callers borrow one, use it, and return it.
final class PKeyContextPool: @unchecked Sendable {
    // @unchecked Sendable: `key` is an EVP_PKEY that is fully built before the pool exists and never mutated
    // afterwards; OpenSSL allows concurrent operations on one EVP_PKEY from many contexts. Idle contexts are
    // only reachable through the shelf, and a borrowed context is owned by exactly one caller until returned,
    // so no EVP_PKEY_CTX is ever used by two threads at once.
    private let key: OpaquePointer
    let operation: RSAOperation
    private let idle: IdleContextShelf

    /// - Parameters:
    ///   - key: the EVP_PKEY to operate with (owned by the caller, who outlives the pool).
    ///   - operation: what every context of this pool does.
    ///   - maxIdle: how many idle contexts to keep; more are freed on return.
    init(key: OpaquePointer, operation: RSAOperation, maxIdle: Int = 8) {
        self.key = key
        self.operation = operation
        self.idle = IdleContextShelf(capacity: maxIdle)
    }

    /// Runs `body` with a context that no other thread uses meanwhile.
    func withContext<R>(_ body: (OpaquePointer) throws(CryptoError) -> R) throws(CryptoError) -> R {
        let context = try borrow()
        defer { idle.put(context) }
        return try body(context)
    }

    /// Runs the pool's sign/encrypt/decrypt operation on `input`; nil when OpenSSL refuses it.
    func transform(_ input: [UInt8], capacity: Int) throws(CryptoError) -> [UInt8]? {
        try withContext { context in operation.transform(context, input, capacity: capacity) }
    }

    private func borrow() throws(CryptoError) -> OpaquePointer {
        if let context = idle.take() { return context }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            throw OpenSSLErrorQueue.failure("\(operation.name): EVP_PKEY_CTX_new_from_pkey")
        }
        guard operation.configure(context) else {
            EVP_PKEY_CTX_free(context)
            throw OpenSSLErrorQueue.failure("\(operation.name): context setup")
        }
        return context
    }

}
