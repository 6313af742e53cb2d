/// An incremental hash (SHA-256 in production) fed with the upload bytes as they stream to disk.
///
/// The file API does not implement cryptography itself: olafd plugs in OlafCrypto's OpenSSL SHA-256 through
/// ``FileStore/init(configuration:metadata:threadPool:makeHasher:now:)``'s `makeHasher` factory. One hasher is
/// created per upload and used from a single task, so conformers need not be `Sendable`.
public protocol StreamingHasher {
    /// Adds `bytes` to the hash.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// Returns the digest of everything added so far.
    consuming func finalize() -> [UInt8]
}
