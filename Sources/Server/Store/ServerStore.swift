public import Foundation

/// A neighbour server the operator configured: its canonical `host:port` address and public key.
public struct StoredNeighbour: Sendable, Equatable {
    /// Canonical `host:port` (see `ServerAddress.canonical`).
    public var address: String
    /// Canonical one-line SPKI PEM of the neighbour's server key.
    public var publicKeyPEM: String
    public var addedAt: Date
    /// Last time a verified `server_hello` or link came up from/to this neighbour.
    public var lastSeen: Date?

    public init(address: String, publicKeyPEM: String, addedAt: Date, lastSeen: Date? = nil) {
        self.address = address
        self.publicKeyPEM = publicKeyPEM
        self.addedAt = addedAt
        self.lastSeen = lastSeen
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
    /// Inserts, or updates the key of an existing neighbour (keeping its `addedAt`).
    func upsertNeighbour(address: String, publicKeyPEM: String, at date: Date) async throws
    /// Returns whether a neighbour was removed.
    func removeNeighbour(address: String) async throws -> Bool
    func markNeighbourSeen(address: String, at date: Date) async throws

    /// Every stored last-accepted counter, keyed by sender (fingerprint or `server:<address>`).
    func counters() async throws -> [String: UInt64]
    /// Batch upsert; never lowers a stored counter (monotonic per sender). Full UInt64 range.
    func saveCounters(_ counters: [String: UInt64]) async throws
    func deleteCounter(sender: String) async throws

    /// The last counter this server signed with (0 if never).
    func ownCounter() async throws -> UInt64
    /// Never lowers the stored value.
    func saveOwnCounter(_ value: UInt64) async throws
}
