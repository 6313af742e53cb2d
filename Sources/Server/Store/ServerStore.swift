public import Foundation
import Core
import OlafCrypto

/// A neighbour server the operator configured: its canonical `host:port` address and public key.
public struct StoredNeighbour: Sendable, Equatable {
    /// Canonical `host:port` (see `ServerAddress.canonical`).
    public var address: String
    /// Canonical one-line SPKI PEM of the neighbour's server key.
    public var publicKeyPEM: String
    public var addedAt: Date
    /// Last time a verified `server_hello` or link came up from/to this neighbour.
    public var lastSeen: Date?
    /// The address exactly as the operator wrote it (`localhost`, `wss://chat.example.org`), which keeps its
    /// spelling and scheme; nil for rows written before it was kept (then `address` is used).
    public var configured: String?
    /// Where to dial, when it differs from the address (the reference neighbourhood file's `URL`).
    public var url: String?
    /// CA file that must have issued the neighbour's TLS certificate (nil: the system store).
    public var caFile: String?

    public init(
        address: String, publicKeyPEM: String, addedAt: Date, lastSeen: Date? = nil, configured: String? = nil,
        url: String? = nil, caFile: String? = nil
    ) {
        self.caFile = caFile
        self.address = address
        self.publicKeyPEM = publicKeyPEM
        self.addedAt = addedAt
        self.lastSeen = lastSeen
        self.configured = configured
        self.url = url
    }
}

/// Metadata of one uploaded file; the bytes live on disk in the file store, named by `id`.
public struct StoredFile: Sendable, Equatable {
    /// 32 lowercase hex characters (128 random bits); the only secret protecting the file.
    public var id: String
    /// Sanitised original file name (used for Content-Disposition).
    public var name: String
    public var size: Int64
    /// Lowercase hex SHA-256 of the bytes.
    public var sha256: String
    public var contentType: String
    public var uploadedAt: Date
    /// When the purge service deletes it; nil = kept until removed.
    public var expiresAt: Date?

    public init(
        id: String, name: String, size: Int64, sha256: String, contentType: String, uploadedAt: Date,
        expiresAt: Date?
    ) {
        self.id = id
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
        self.uploadedAt = uploadedAt
        self.expiresAt = expiresAt
    }
}

/// File metadata persistence, the part of the store the file API needs.
public protocol FileMetadataStore: Sendable {
    func insertFile(_ file: StoredFile) async throws
    func file(id: String) async throws -> StoredFile?
    func files() async throws -> [StoredFile]
    /// Returns whether a row was removed.
    func removeFile(id: String) async throws -> Bool
    /// Files whose `expiresAt` is at or before `date`.
    func expiredFiles(at date: Date) async throws -> [StoredFile]
    /// Sum of `size` over all files.
    func totalFileBytes() async throws -> Int64
}

/// Everything olafd persists: neighbours, per-sender last counters (replay protection across restarts),
/// the server's own outgoing counter, and file metadata. Implemented on SQLite (GRDB) and in memory for tests.
public protocol ServerStore: FileMetadataStore {
    func neighbours() async throws -> [StoredNeighbour]
    /// Inserts, or updates the key, spelling and URL of an existing neighbour (keeping its `addedAt`).
    func upsertNeighbour(
        address: String, configured: String?, url: String?, caFile: String?, publicKeyPEM: String, at date: Date
    ) async throws
    /// Returns whether a neighbour was removed.
    func removeNeighbour(address: String) async throws -> Bool
    func markNeighbourSeen(address: String, at date: Date) async throws

    /// Every stored last-accepted counter, keyed by sender (fingerprint or `server:<address>`).
    func counters() async throws -> [String: UInt64]
    /// Batch upsert; never lowers a stored counter (monotonic per sender). Full UInt64 range.
    func saveCounters(_ counters: [String: UInt64]) async throws
    func deleteCounter(sender: String) async throws

    /// Remembers the digest of a `server_hello` signature accepted from `neighbour` (canonical address); the
    /// most recent `ServerHelloSignatures.kept` per neighbour are kept.
    func recordServerHelloSignature(neighbour: String, digest: String, at date: Date) async throws
    /// Whether that signature digest was accepted from `neighbour` before (a byte-for-byte replay).
    func hasSeenServerHelloSignature(neighbour: String, digest: String) async throws -> Bool
    /// Forgets every recorded signature of `neighbour` (operator reset, re-keying, removal).
    func forgetServerHelloSignatures(neighbour: String) async throws

    /// The last counter this server signed with (0 if never).
    func ownCounter() async throws -> UInt64
    /// Never lowers the stored value.
    func saveOwnCounter(_ value: UInt64) async throws
}

extension ServerStore {
    /// Inserts or updates a neighbour configured by its canonical address alone.
    public func upsertNeighbour(address: String, publicKeyPEM: String, at date: Date) async throws {
        try await upsertNeighbour(
            address: address, configured: nil, url: nil, caFile: nil, publicKeyPEM: publicKeyPEM, at: date)
    }

    /// Inserts or updates `neighbour` with everything the operator configured for it.
    public func upsertNeighbour(_ neighbour: Neighbour, at date: Date) async throws {
        try await upsertNeighbour(
            address: neighbour.address.canonical, configured: neighbour.configuredAddress,
            url: neighbour.configuredURL, caFile: neighbour.caFile, publicKeyPEM: neighbour.publicKey.canonicalPEM,
            at: date)
    }
}

/// How many accepted `server_hello` signatures the store keeps per neighbour (one per link that came up).
public enum ServerHelloSignatures {
    public static let kept = 1024
}
