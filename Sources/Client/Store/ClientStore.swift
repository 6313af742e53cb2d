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

/// The client's SQLite store (WAL, migrations, files 0600): contacts and nicknames, conversations, message
/// history, uploaded files, the last counter accepted from each sender and the reserved ceiling of our own
/// counter. Counters are `UInt64` kept as the `Int64` with the same bit pattern.
public final class ClientStore: Sendable {
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and migrates it.
    public init(path: String) throws(ClientStoreError) {
        self.path = path
        do {
            pool = try SQLiteDatabase.open(path: path, migrator: Self.migrator, program: "olaf-client")
        } catch {
            switch error {
            case .cannotOpen(let path, let reason): throw .cannotOpen(path: path, reason: reason)
            case .newerSchema(let path): throw .newerSchema(path: path)
            case .migrationFailed(let path, let reason): throw .cannotOpen(path: path, reason: "migration failed: \(reason)")
            }
        }
    }

    // MARK: Own counter

    /// The highest own counter reserved so far (0 before the first reservation).
    public func reservedCounter() async throws -> UInt64 {
        try await read("read the reserved counter") { db in
            UInt64(
                bitPattern: try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'reservedCounter'") ?? 0)
        }
    }

    /// Raises the reserved ceiling to `value` (never lowers it) and returns the ceiling now stored.
    @discardableResult
    public func reserveCounter(upTo value: UInt64) async throws -> UInt64 {
        try await write("reserve own counters") { db in
            let current = UInt64(
                bitPattern: try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'reservedCounter'") ?? 0)
            let ceiling = max(current, value)
            try db.execute(
                sql: "INSERT INTO state (key, value) VALUES ('reservedCounter', ?) "
                    + "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [Int64(bitPattern: ceiling)])
            return ceiling
        }
    }

    // MARK: Peer counters

    /// The last counter accepted from each sender.
    public func peerCounters() async throws -> [String: UInt64] {
        try await read("read peer counters") { db in
            var result: [String: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sender, last FROM peerCounter") {
                result[try row.decode(forColumn: "sender")] = UInt64(bitPattern: try row.decode(forColumn: "last"))
            }
            return result
        }
    }

    /// Records `counter` as the last accepted from `sender`.
    public func savePeerCounter(_ counter: UInt64, from sender: String) async throws {
        try await write("save a peer counter") { db in
            try db.execute(
                sql: "INSERT INTO peerCounter (sender, last) VALUES (?, ?) "
                    + "ON CONFLICT (sender) DO UPDATE SET last = excluded.last",
                arguments: [sender, Int64(bitPattern: counter)])
        }
    }

    // MARK: Contacts

    /// Records keys seen in a client list: (fingerprint, canonical PEM, server address as listed).
    public func recordSeen(_ entries: [(fingerprint: String, pem: String, server: String)], at date: Date) async throws
    {
        guard !entries.isEmpty else { return }
        try await write("record seen contacts") { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO contact (fingerprint, publicKeyPEM, lastServer, lastSeen) VALUES (?, ?, ?, ?)
                    ON CONFLICT (fingerprint) DO UPDATE SET publicKeyPEM = excluded.publicKeyPEM,
                        lastServer = excluded.lastServer, lastSeen = excluded.lastSeen
                    """)
            for entry in entries {
                try statement.execute(
                    arguments: [entry.fingerprint, entry.pem, entry.server, date.timeIntervalSince1970])
            }
        }
    }

    /// Sets (or with nil / empty, clears) the local nickname of `fingerprint`. False when the contact is unknown.
    public func setNickname(_ nickname: String?, for fingerprint: String) async throws -> Bool {
        let value = nickname.flatMap { $0.isEmpty ? nil : $0 }
        return try await write("set a nickname") { db in
            try db.execute(
                sql: "UPDATE contact SET nickname = ? WHERE fingerprint = ?", arguments: [value, fingerprint])
            return db.changesCount > 0
        }
    }

    /// Forgets contacts nobody needs, so that keys a hostile server lists by the thousand (they cost it nothing)
    /// do not pile up, nor slow every unlock. Kept always: a contact with a nickname, one that sent us a message,
    /// and a participant of any conversation. The others go once unseen for `unseenFor`, and beyond `maximum`
    /// the least recently seen go first. Returns how many were forgotten.
    @discardableResult
    public func pruneContacts(keeping maximum: Int, unseenFor age: TimeInterval, now: Date = Date()) async throws
        -> Int
    {
        try await write("forget unneeded contacts") { db in
            var kept = Set(try String.fetchAll(db, sql: "SELECT fingerprint FROM contact WHERE nickname IS NOT NULL"))
            kept.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT sender FROM message"))
            for participants in try String.fetchAll(db, sql: "SELECT participants FROM conversation") {
                kept.formUnion(participants.split(separator: "\n").map(String.init))
            }
            // Unneeded contacts, least recently seen first.
            let candidates = try Row.fetchAll(db, sql: "SELECT fingerprint, lastSeen FROM contact ORDER BY lastSeen")
                .compactMap { row -> (fingerprint: String, lastSeen: Double)? in
                    guard let fingerprint = try row.decode(String?.self, forColumn: "fingerprint"),
                        !kept.contains(fingerprint), let lastSeen = try row.decode(Double?.self, forColumn: "lastSeen")
                    else { return nil }
                    return (fingerprint, lastSeen)
                }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact") ?? 0
            let cutoff = now.timeIntervalSince1970 - age
            var excess = max(0, total - max(0, maximum))
            var forget: [String] = []
            for candidate in candidates where candidate.lastSeen < cutoff || excess > 0 {
                forget.append(candidate.fingerprint)
                excess -= 1
            }
            let statement = try db.cachedStatement(sql: "DELETE FROM contact WHERE fingerprint = ?")
            for fingerprint in forget { try statement.execute(arguments: [fingerprint]) }
            return forget.count
        }
    }

    /// The fingerprints of every stored contact.
    public func contactFingerprints() async throws -> [String] {
        try await read("list contact fingerprints") { db in try String.fetchAll(db, sql: "SELECT fingerprint FROM contact") }
    }

    /// How many contacts are stored.
    public func contactCount() async throws -> Int {
        try await read("count contacts") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact") ?? 0 }
    }

    public func contacts() async throws -> [ContactRecord] {
        try await read("list contacts") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact ORDER BY fingerprint").map(ContactRecord.init(row:))
        }
    }

    public func contact(_ fingerprint: String) async throws -> ContactRecord? {
        try await read("look up a contact") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM contact WHERE fingerprint = ?", arguments: [fingerprint])
                .map(ContactRecord.init(row:))
        }
    }

    // MARK: Conversations and messages

    /// Stores a message (creating or touching its conversation) and returns it with its id.
    public func insertMessage(
        conversation: String, kind: ConversationKind, participants: [String], direction: MessageDirection,
        sender: String, text: String, status: MessageStatus, file: FileLink?, at date: Date
    ) async throws -> MessageRecord {
        let timestamp = date.timeIntervalSince1970
        let participantsText = participants.sorted().joined(separator: "\n")
        return try await write("store a message") { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation (id, kind, participants, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET updatedAt = excluded.updatedAt
                    """,
                arguments: [conversation, kind.rawValue, participantsText, timestamp])
            try db.execute(
                sql: """
                    INSERT INTO message (conversation, direction, sender, text, timestamp, status, fileURL, fileName,
                        fileSize)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    conversation, direction.rawValue, sender, text, timestamp, status.rawValue, file?.url,
                    file?.name, file?.size,
                ])
            return MessageRecord(
                id: db.lastInsertedRowID, conversation: conversation, direction: direction, sender: sender,
                text: text, timestamp: timestamp, status: status, file: file)
        }
    }

    /// Up to `limit` messages of `conversation` older than `beforeID` (newest last).
    public func messages(in conversation: String, before beforeID: Int64? = nil, limit: Int = 200) async throws
        -> [MessageRecord]
    {
        try await read("read message history") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM message WHERE conversation = ? AND id < ? ORDER BY id DESC LIMIT ?
                    """,
                arguments: [conversation, beforeID ?? Int64.max, max(1, min(limit, 1000))])
            return try rows.reversed().map(MessageRecord.init(row:))
        }
    }

    /// Every conversation, most recently active first, with the text of its last message.
    public func conversations() async throws -> [ConversationRecord] {
        try await read("list conversations") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, (SELECT text FROM message m WHERE m.conversation = c.id ORDER BY id DESC LIMIT 1)
                        AS lastText
                    FROM conversation c ORDER BY updatedAt DESC
                    """
            ).map(ConversationRecord.init(row:))
        }
    }

    // MARK: Files

    public func insertFileTransfer(name: String, size: Int64, url: String, at date: Date) async throws
        -> FileTransferRecord
    {
        try await write("record an upload") { db in
            try db.execute(
                sql: "INSERT INTO fileTransfer (name, size, url, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [name, size, url, date.timeIntervalSince1970])
            return FileTransferRecord(
                id: db.lastInsertedRowID, name: name, size: size, url: url, createdAt: date.timeIntervalSince1970)
        }
    }

    public func fileTransfers() async throws -> [FileTransferRecord] {
        try await read("list uploads") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM fileTransfer ORDER BY id").map { row in
                FileTransferRecord(
                    id: try row.decode(forColumn: "id"), name: try row.decode(forColumn: "name"), size: try row.decode(forColumn: "size"), url: try row.decode(forColumn: "url"), createdAt: try row.decode(forColumn: "createdAt"))
            }
        }
    }
}

// MARK: - Schema and helpers

extension ClientStore {
    /// Every schema version in order. Never edit a registered migration: add a new one.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    CREATE TABLE peerCounter (sender TEXT PRIMARY KEY, last INTEGER NOT NULL);
                    CREATE TABLE contact (
                        fingerprint TEXT PRIMARY KEY,
                        nickname TEXT,
                        publicKeyPEM TEXT NOT NULL,
                        lastServer TEXT,
                        lastSeen REAL NOT NULL
                    );
                    CREATE TABLE conversation (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        participants TEXT NOT NULL,
                        updatedAt REAL NOT NULL
                    );
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        conversation TEXT NOT NULL REFERENCES conversation(id),
                        direction TEXT NOT NULL,
                        sender TEXT NOT NULL,
                        text TEXT NOT NULL,
                        timestamp REAL NOT NULL,
                        status TEXT NOT NULL,
                        fileURL TEXT,
                        fileName TEXT,
                        fileSize INTEGER
                    );
                    CREATE INDEX message_conversation ON message (conversation, id);
                    CREATE TABLE fileTransfer (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        url TEXT NOT NULL,
                        createdAt REAL NOT NULL
                    );
                    """)
        }
        return migrator
    }

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
        if error is ClientStoreError || error is CancellationError { return error }
        return ClientStoreError.operationFailed(
            operation: operation, reason: SQLiteDatabase.reason(for: error, program: "olaf-client"))
    }
}

extension MessageRecord {
    fileprivate init(row: Row) throws {
        let fileURL: String? = try row.decode(forColumn: "fileURL")
        self.init(
            id: try row.decode(forColumn: "id"), conversation: try row.decode(forColumn: "conversation"),
            direction: MessageDirection(rawValue: try row.decode(forColumn: "direction")) ?? .incoming, sender: try row.decode(forColumn: "sender"),
            text: try row.decode(forColumn: "text"), timestamp: try row.decode(forColumn: "timestamp"),
            status: MessageStatus(rawValue: try row.decode(forColumn: "status")) ?? .verified,
            file: try fileURL.map {
                FileLink(
                    url: $0, name: (try row.decode(String?.self, forColumn: "fileName")) ?? "file",
                    size: try row.decode(forColumn: "fileSize"))
            })
    }
}

extension ConversationRecord {
    fileprivate init(row: Row) throws {
        let participants: String = try row.decode(forColumn: "participants")
        self.init(
            id: try row.decode(forColumn: "id"), kind: ConversationKind(rawValue: try row.decode(forColumn: "kind")) ?? .group,
            participants: participants.isEmpty ? [] : participants.split(separator: "\n").map(String.init),
            updatedAt: try row.decode(forColumn: "updatedAt"), lastText: try row.decode(forColumn: "lastText"))
    }
}

extension ContactRecord {
    fileprivate init(row: Row) throws {
        self.init(
            fingerprint: try row.decode(forColumn: "fingerprint"), nickname: try row.decode(forColumn: "nickname"), publicKeyPEM: try row.decode(forColumn: "publicKeyPEM"),
            lastServer: try row.decode(forColumn: "lastServer"), lastSeen: try row.decode(forColumn: "lastSeen"))
    }
}
