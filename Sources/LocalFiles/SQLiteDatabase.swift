public import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opens the SQLite databases of olafd and olaf-client the same way: one file in WAL mode through a GRDB
/// `DatabasePool`, the file and its `-wal`/`-shm` companions with mode 0600 whatever the umask (never through
/// a symbolic link), a busy timeout, `synchronous = NORMAL` (with WAL it never corrupts; at worst the last
/// transactions are lost on power loss), migrations applied in order, and a database written by a newer
/// version refused rather than opened.
public enum SQLiteDatabase {
    /// Why a database could not be opened.
    public enum OpenError: Error, Sendable, Equatable {
        case cannotOpen(path: String, reason: String)
        /// Written by a newer version of the program: its schema has migrations this one does not know.
        case newerSchema(path: String)
        case migrationFailed(path: String, reason: String)
    }

    /// Opens (creating if needed) the database at `path` and migrates it with `migrator`.
    /// - Parameters:
    ///   - foreignKeys: enforce foreign keys.
    ///   - program: names the program in reasons ("not an olafd database").
    public static func open(path: String, migrator: DatabaseMigrator, foreignKeys: Bool = false, program: String)
        throws(OpenError) -> DatabasePool
    {
        try restrictMode(of: path, create: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = foreignKeys
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: reason(for: error, program: program))
        }
        let superseded: Bool
        do {
            superseded = try pool.read { try migrator.hasBeenSuperseded($0) }
        } catch {
            throw .cannotOpen(path: path, reason: reason(for: error, program: program))
        }
        if superseded { throw .newerSchema(path: path) }
        do {
            try migrator.migrate(pool)
        } catch {
            throw .migrationFailed(path: path, reason: reason(for: error, program: program))
        }
        for companion in [path + "-wal", path + "-shm"] { try restrictMode(of: companion, create: false) }
        return pool
    }

    /// A human explanation of a GRDB error, with what to do about it where that is known (never the SQL or the
    /// row: a decoding error's description quotes the row, which may hold private data).
    public static func reason(for error: any Error, program: String) -> String {
        if error is RowDecodingError {
            return "a stored row has an unexpected value; the database may be damaged, restore a backup"
        }
        guard let error = error as? DatabaseError else { return String(describing: error) }
        let detail = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "unknown")"
        switch error.resultCode {
        case .SQLITE_FULL:
            return "the disk is full (\(detail)); free space on the file system holding the database"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return "the database is not writable (\(detail)); check owner and mode of the file and its directory"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the database is locked (\(detail)); is another \(program) using the same directory?"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "the file is damaged or not an \(program) database (\(detail)); restore a backup or move it aside"
        case .SQLITE_CANTOPEN:
            return "SQLite cannot open the file (\(detail))"
        case .SQLITE_IOERR:
            return "an I/O error occurred (\(detail)); check the disk and the kernel log"
        default:
            return detail
        }
    }

    /// Sets mode 0600 on `path` (creating it empty first if `create`), independently of the umask, and never
    /// through a symbolic link. A missing file is fine when not creating (SQLite removes `-wal`/`-shm` when the
    /// last connection closes).
    private static func restrictMode(of path: String, create: Bool) throws(OpenError) {
        let flags = (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW
        let descriptor = openFile(path, flags, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if !create && code == ENOENT { return }
            throw .cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw .cannotOpen(path: path, reason: "cannot set its mode to 0600: \(String(cString: strerror(errno)))")
        }
    }
}

/// The C `open` (the enum's own `open` shadows it inside).
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
