public import Foundation
import GRDB
import LocalFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ServerStore` on one SQLite file in WAL mode, through a GRDB `DatabasePool` (one writer, concurrent readers).
///
/// Opened by `SQLiteDatabase` (WAL, files 0600, migrations, newer schemas refused). Storage conventions:
/// - Dates are REAL seconds since 2001-01-01 UTC (`timeIntervalSinceReferenceDate`), so a `Date` round-trips
///   exactly. To read them in `sqlite3`: `datetime(uploadedAt + 978307200, 'unixepoch')`.
/// - Counters are `UInt64` stored as the `Int64` with the same bit pattern and always compared as unsigned.
public final class SQLiteServerStore: ServerStore {
    /// The database file this store was opened on.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    /// - Throws: `StoreError.cannotOpen`, `.newerSchema` or `.migrationFailed`.
    public init(path: String) throws {
        self.path = path
        do {
            pool = try SQLiteDatabase.open(path: path, migrator: Self.migrator, foreignKeys: true, program: "olafd")
        } catch {
            throw StoreError(error)
        }
    }

    // MARK: Neighbours

    public func neighbours() async throws -> [StoredNeighbour] {
        try await read("list neighbours") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM neighbour ORDER BY address").map(StoredNeighbour.init(row:))
        }
    }

    public func upsertNeighbour(
        address: String, configured: String?, url: String?, caFile: String?, publicKeyPEM: String, at date: Date
    ) async throws {
        try await write("save neighbour \(address)") { db in
            try db.execute(
                sql: """
                    INSERT INTO neighbour (address, publicKeyPEM, addedAt, configured, url, caFile)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (address) DO UPDATE SET publicKeyPEM = excluded.publicKeyPEM,
                        configured = excluded.configured, url = excluded.url, caFile = excluded.caFile
                    """,
                arguments: [address, publicKeyPEM, date.storedSeconds, configured, url, caFile])
        }
    }

    public func recordServerHelloSignature(neighbour: String, digest: String, at date: Date) async throws {
        try await write("record a server_hello signature of \(neighbour)") { db in
            try db.execute(
                sql: """
                    INSERT INTO serverHelloSignature (neighbour, digest, seenAt) VALUES (?, ?, ?)
                    ON CONFLICT (neighbour, digest) DO UPDATE SET seenAt = excluded.seenAt
                    """,
                arguments: [neighbour, digest, date.storedSeconds])
            try db.execute(
                sql: """
                    DELETE FROM serverHelloSignature WHERE neighbour = ? AND rowid NOT IN (
                        SELECT rowid FROM serverHelloSignature WHERE neighbour = ? ORDER BY seenAt DESC LIMIT ?)
                    """,
                arguments: [neighbour, neighbour, ServerHelloSignatures.kept])
        }
    }

    public func hasSeenServerHelloSignature(neighbour: String, digest: String) async throws -> Bool {
        try await read("look up a server_hello signature of \(neighbour)") { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM serverHelloSignature WHERE neighbour = ? AND digest = ?)",
                arguments: [neighbour, digest]) ?? false
        }
    }

    public func forgetServerHelloSignatures(neighbour: String) async throws {
        try await write("forget the server_hello signatures of \(neighbour)") { db in
            try db.execute(sql: "DELETE FROM serverHelloSignature WHERE neighbour = ?", arguments: [neighbour])
        }
    }

    public func removeNeighbour(address: String) async throws -> Bool {
        try await write("remove neighbour \(address)") { db in
            try db.execute(sql: "DELETE FROM neighbour WHERE address = ?", arguments: [address])
            return db.changesCount > 0
        }
    }

    public func markNeighbourSeen(address: String, at date: Date) async throws {
        try await write("record that neighbour \(address) was seen") { db in
            try db.execute(
                sql: "UPDATE neighbour SET lastSeen = ? WHERE address = ?", arguments: [date.storedSeconds, address])
        }
    }

    // MARK: Counters

    public func counters() async throws -> [String: UInt64] {
        try await read("load counters") { db in
            var result: [String: UInt64] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT sender, last FROM counter")
            while let row = try rows.next() {
                result[try row.decode(forColumn: "sender")] = UInt64(bitPattern: try row.decode(forColumn: "last"))
            }
            return result
        }
    }

    public func saveCounters(_ counters: [String: UInt64]) async throws {
        guard !counters.isEmpty else { return }
        try await write("save \(counters.count) counters") { db in
            // One transaction, one prepared statement reused for every entry.
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO counter (sender, last) VALUES (?, ?)
                    ON CONFLICT (sender) DO UPDATE SET last = excluded.last
                    WHERE \(Self.unsignedGreater("excluded.last", than: "counter.last"))
                    """)
            for (sender, last) in counters {
                try upsert.execute(arguments: [sender, Int64(bitPattern: last)])
            }
        }
    }

    public func deleteCounter(sender: String) async throws {
        try await write("delete a counter") { db in
            try db.execute(sql: "DELETE FROM counter WHERE sender = ?", arguments: [sender])
        }
    }

    public func ownCounter() async throws -> UInt64 {
        try await read("load the server's own counter") { db in
            let stored = try Int64.fetchOne(db, sql: "SELECT value FROM serverState WHERE key = 'ownCounter'")
            return UInt64(bitPattern: stored ?? 0)
        }
    }

    public func saveOwnCounter(_ value: UInt64) async throws {
        try await write("save the server's own counter") { db in
            try db.execute(
                sql: """
                    INSERT INTO serverState (key, value) VALUES ('ownCounter', ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    WHERE \(Self.unsignedGreater("excluded.value", than: "serverState.value"))
                    """,
                arguments: [Int64(bitPattern: value)])
        }
    }

    // MARK: Files

    public func insertFile(_ file: StoredFile) async throws {
        try await write("record an uploaded file") { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO file (id, name, size, sha256, contentType, uploadedAt, expiresAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        file.id, file.name, file.size, file.sha256, file.contentType, file.uploadedAt.storedSeconds,
                        file.expiresAt?.storedSeconds,
                    ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw StoreError.duplicateFileID
            }
        }
    }

    public func file(id: String) async throws -> StoredFile? {
        try await read("look up a file") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM file WHERE id = ?", arguments: [id]).map(StoredFile.init(row:))
        }
    }

    public func files() async throws -> [StoredFile] {
        try await read("list files") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM file ORDER BY uploadedAt, id").map(StoredFile.init(row:))
        }
    }

    public func removeFile(id: String) async throws -> Bool {
        try await write("remove a file") { db in
            try db.execute(sql: "DELETE FROM file WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func expiredFiles(at date: Date) async throws -> [StoredFile] {
        try await read("list expired files") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM file WHERE expiresAt <= ? ORDER BY expiresAt, id",
                arguments: [date.storedSeconds]
            ).map(StoredFile.init(row:))
        }
    }

    public func totalFileBytes() async throws -> Int64 {
        // SUM (unlike TOTAL) stays an exact integer and fails with "integer overflow" rather than rounding.
        try await read("sum file sizes") { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM file") ?? 0
        }
    }
}

// MARK: - Schema

extension SQLiteServerStore {
    /// Every schema version, in order. Never edit a registered migration: add a new one.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE neighbour (
                        address TEXT PRIMARY KEY,
                        publicKeyPEM TEXT NOT NULL,
                        addedAt DATETIME NOT NULL,
                        lastSeen DATETIME
                    );
                    CREATE TABLE counter (sender TEXT PRIMARY KEY, last INTEGER NOT NULL);
                    CREATE TABLE serverState (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    CREATE TABLE file (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        contentType TEXT NOT NULL,
                        uploadedAt DATETIME NOT NULL,
                        expiresAt DATETIME
                    );
                    CREATE INDEX file_expiresAt ON file (expiresAt);
                    """)
        }
        migrator.registerMigration("v2 neighbour spelling, URL and server_hello signatures") { db in
            try db.execute(
                sql: """
                    ALTER TABLE neighbour ADD COLUMN configured TEXT;
                    ALTER TABLE neighbour ADD COLUMN url TEXT;
                    ALTER TABLE neighbour ADD COLUMN caFile TEXT;
                    CREATE TABLE serverHelloSignature (
                        neighbour TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        seenAt DATETIME NOT NULL,
                        PRIMARY KEY (neighbour, digest)
                    );
                    """)
        }
        return migrator
    }

    /// SQL that is true when `lhs > rhs` as unsigned 64-bit numbers, for Int64 columns holding UInt64 bit
    /// patterns. SQLite has only signed integers: when both have the same sign the signed order is the unsigned
    /// order; otherwise the negative one (top bit set) is the larger unsigned value.
    static func unsignedGreater(_ lhs: String, than rhs: String) -> String {
        "CASE WHEN (\(lhs) < 0) = (\(rhs) < 0) THEN \(lhs) > \(rhs) ELSE \(lhs) < 0 END"
    }
}

// MARK: - Helpers

extension SQLiteServerStore {
    private func read<T: Sendable>(_ operation: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.wrap(error, operation: operation)
        }
    }

    private func write<T: Sendable>(_ operation: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.wrap(error, operation: operation)
        }
    }

    private static func wrap(_ error: any Error, operation: String) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        return StoreError.operationFailed(operation: operation, reason: StoreError.reason(for: error))
    }
}

extension Date {
    /// How dates are stored: exact, see `SQLiteServerStore`.
    fileprivate var storedSeconds: Double { timeIntervalSinceReferenceDate }

    fileprivate init(storedSeconds: Double) { self.init(timeIntervalSinceReferenceDate: storedSeconds) }
}

extension StoredNeighbour {
    fileprivate init(row: Row) throws {
        self.init(
            address: try row.decode(forColumn: "address"),
            publicKeyPEM: try row.decode(forColumn: "publicKeyPEM"),
            addedAt: Date(storedSeconds: try row.decode(forColumn: "addedAt")),
            lastSeen: (try row.decode(Double?.self, forColumn: "lastSeen")).map(Date.init(storedSeconds:)),
            configured: try row.decode(String?.self, forColumn: "configured"),
            url: try row.decode(String?.self, forColumn: "url"),
            caFile: try row.decode(String?.self, forColumn: "caFile"))
    }
}

extension StoredFile {
    fileprivate init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            name: try row.decode(forColumn: "name"),
            size: try row.decode(forColumn: "size"),
            sha256: try row.decode(forColumn: "sha256"),
            contentType: try row.decode(forColumn: "contentType"),
            uploadedAt: Date(storedSeconds: try row.decode(forColumn: "uploadedAt")),
            expiresAt: (try row.decode(Double?.self, forColumn: "expiresAt")).map(Date.init(storedSeconds:)))
    }
}
