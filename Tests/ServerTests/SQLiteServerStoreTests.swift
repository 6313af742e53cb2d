import OlafTestSupport
import Foundation
import GRDB
import Server
import Testing

/// What only the SQLite store has: durability, file permissions, WAL, migrations and open errors.
@Suite("SQLiteServerStore")
struct SQLiteServerStoreTests {
    @Test func dataSurvivesClosingAndReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let file = sampleFile("f1", size: 42, expiresAt: t0.addingTimeInterval(3600))
            do {
                let store = try SQLiteServerStore(path: path)
                try await store.upsertNeighbour(address: "a:1", publicKeyPEM: "K", at: t0)
                try await store.markNeighbourSeen(address: "a:1", at: t0.addingTimeInterval(1))
                try await store.saveCounters(["alice": UInt64.max, "bob": 1 << 63])
                try await store.saveOwnCounter((1 << 63) + 5)
                try await store.insertFile(file)
            }  // the store (and its connection pool) is released here

            let reopened = try SQLiteServerStore(path: path)
            #expect(
                try await reopened.neighbours() == [
                    StoredNeighbour(address: "a:1", publicKeyPEM: "K", addedAt: t0, lastSeen: t0.addingTimeInterval(1))
                ])
            #expect(try await reopened.counters() == ["alice": UInt64.max, "bob": 1 << 63])
            #expect(try await reopened.ownCounter() == (1 << 63) + 5)
            #expect(try await reopened.files() == [file])
            #expect(try await reopened.totalFileBytes() == 42)
        }
    }

    @Test func databaseFilesHaveMode0600EvenIfTheFileExistedWithWiderMode() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
            #expect(try mode(of: path) == 0o644)

            let store = try SQLiteServerStore(path: path)
            try await store.saveOwnCounter(1)
            for file in [path, path + "-wal", path + "-shm"] {
                #expect(try mode(of: file) == 0o600, "\(file)")
            }
        }
    }

    @Test func journalModeIsWAL() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            _ = try SQLiteServerStore(path: path)
            // WAL is persistent in the file: an independent connection sees it.
            let queue = try DatabaseQueue(path: path)
            let journalMode = try await queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(journalMode == "wal")
        }
    }

    @Test func openingInAMissingDirectoryThrowsCannotOpen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/missing/state.sqlite"
            let error = #expect(throws: StoreError.self) { try SQLiteServerStore(path: path) }
            guard case .cannotOpen(let reportedPath, let reason) = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(reportedPath == path)
            #expect(reason.contains("No such file or directory"))
            let message = error?.description ?? ""
            #expect(message.contains(path))
            #expect(message.contains("state directory exists and is writable by the olafd user"))
        }
    }

    @Test func openingAFileThatIsNotADatabaseThrowsCannotOpen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let garbage = Data(repeating: 0x42, count: 4096)
            #expect(FileManager.default.createFile(atPath: path, contents: garbage))
            let error = #expect(throws: StoreError.self) { try SQLiteServerStore(path: path) }
            guard case .cannotOpen(_, let reason) = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("not an olafd database"))
        }
    }

    @Test func migrationIsIdempotent() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let first = try SQLiteServerStore(path: path)
            try await first.saveCounters(["a": 1])
            let second = try SQLiteServerStore(path: path)  // while the first is still open
            _ = try SQLiteServerStore(path: path)  // and once more
            #expect(try await second.counters() == ["a": 1])
            #expect(try await first.counters() == ["a": 1])

            let queue = try DatabaseQueue(path: path)
            let applied = try await queue.read {
                try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(applied == ["v1", "v2 neighbour spelling, URL and server_hello signatures"])
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            _ = try SQLiteServerStore(path: path)
            let queue = try DatabaseQueue(path: path)
            try await queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999')") }
            #expect(throws: StoreError.newerSchema(path: path)) { try SQLiteServerStore(path: path) }
        }
    }
}

/// The permission bits of `path`.
func mode(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
