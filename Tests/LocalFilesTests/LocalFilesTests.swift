import Foundation
import GRDB
import LocalFiles
import Testing

/// The file helpers olafd and olaf-client share: the SQLite opener and the secret-file writer.
@Suite("LocalFiles: SQLite opener, secret files")
struct LocalFilesTests {
    private static func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("localfiles-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY)") }
        return migrator
    }

    @Test("a database and its WAL companions are 0600 whatever the umask")
    func modes() throws {
        let path = try Self.scratch() + "/db.sqlite"
        let old = umask(0o022)
        defer { umask(old) }
        let pool = try SQLiteDatabase.open(path: path, migrator: Self.migrator, program: "test")
        try pool.write { try $0.execute(sql: "INSERT INTO item DEFAULT VALUES") }
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(path + "-wal") == 0o600)
        #expect(try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test("a database written by a newer version is refused, not opened")
    func newerSchema() throws {
        let path = try Self.scratch() + "/db.sqlite"
        var newer = Self.migrator
        newer.registerMigration("v2") { db in try db.execute(sql: "CREATE TABLE later (id INTEGER)") }
        _ = try SQLiteDatabase.open(path: path, migrator: newer, program: "test")
        #expect(throws: SQLiteDatabase.OpenError.newerSchema(path: path)) {
            _ = try SQLiteDatabase.open(path: path, migrator: Self.migrator, program: "test")
        }
    }

    @Test("a database path that is a symbolic link is refused")
    func symbolicLinkRefused() throws {
        let directory = try Self.scratch()
        let target = directory + "/elsewhere.sqlite"
        #expect(FileManager.default.createFile(atPath: target, contents: nil))
        try FileManager.default.createSymbolicLink(atPath: directory + "/db.sqlite", withDestinationPath: target)
        #expect(throws: SQLiteDatabase.OpenError.self) {
            _ = try SQLiteDatabase.open(path: directory + "/db.sqlite", migrator: Self.migrator, program: "test")
        }
    }

    @Test("a secret is written 0600, replaces the old one, and a planted temporary link is not followed")
    func secretFile() throws {
        let directory = try Self.scratch()
        let path = directory + "/key.pem"
        try SecretFile.write("first", to: path)
        #expect(try Self.mode(path) == 0o600)
        // Someone plants a link where the temporary file will be created: it is removed, its target untouched.
        let victim = directory + "/victim"
        try "untouched".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: path + ".tmp-\(getpid())", withDestinationPath: victim)
        try SecretFile.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    @Test("a secret in a directory that cannot be written is an error naming the path")
    func secretFileError() throws {
        let path = "/nonexistent-\(UUID())/key.pem"
        #expect(throws: SecretFile.WriteError.self) { try SecretFile.write("x", to: path) }
    }
}
