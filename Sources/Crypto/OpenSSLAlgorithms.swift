import COpenSSL

/// Algorithm implementations fetched from OpenSSL's default provider once per process.
///
/// OpenSSL 3 re-fetches an algorithm on every use of a legacy handle such as `EVP_sha256()`, which costs a
/// provider lookup per operation; explicitly fetched handles skip that. The handles are never freed: they live
/// as long as the process.
final class OpenSSLAlgorithms: @unchecked Sendable {
    // @unchecked Sendable: the fields are set once in `init` and never mutated. OpenSSL documents fetched
    // EVP_MD / EVP_CIPHER objects as immutable and safe to share between threads (they are reference counted
    // with atomic operations), which is exactly how they are used here.
    let sha256: OpaquePointer
    let aes128GCM: OpaquePointer
    let aes256CBC: OpaquePointer

    static let shared = OpenSSLAlgorithms()

    private init() {
        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil),
            let gcm = EVP_CIPHER_fetch(nil, "AES-128-GCM", nil),
            let cbc = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil)
        else {
            // The default provider always has these; without them nothing in OLAF can work.
            fatalError("OpenSSL default provider lacks SHA256/AES-128-GCM/AES-256-CBC: \(OpenSSLErrorQueue.drain())")
        }
        self.sha256 = sha256
        self.aes128GCM = gcm
        self.aes256CBC = cbc
    }
}
