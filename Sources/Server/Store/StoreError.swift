import GRDB

/// Why a `ServerStore` operation failed, worded for the operator who has to fix it.
///
/// Messages never contain file ids (they are the only secret protecting a file) nor SQL arguments.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The database file could not be created, opened or configured.
    case cannotOpen(path: String, reason: String)
    /// The database was written by a newer olafd whose schema this version does not know.
    case newerSchema(path: String)
    /// A schema migration failed; the database was left at its previous version.
    case migrationFailed(path: String, reason: String)
    /// `insertFile` was given an id that is already stored.
    case duplicateFileID
    /// A read or write failed after the database was opened.
    case operationFailed(operation: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the state database at \(path): \(reason). Check that the state directory exists and is "
                + "writable by the olafd user (SQLite also creates \(path)-wal and \(path)-shm beside it)."
        case .newerSchema(let path):
            "the state database at \(path) was written by a newer olafd; upgrade olafd or restore a backup made "
                + "before the upgrade."
        case .migrationFailed(let path, let reason):
            "cannot upgrade the state database at \(path): \(reason). The database is unchanged; restore a backup "
                + "or move the file aside to start with empty state."
        case .duplicateFileID:
            "a file with this id is already stored (ids must be unique random values)."
        case .operationFailed(let operation, let reason):
            "state database error while trying to \(operation): \(reason)."
        }
    }
}

extension StoreError {
    /// A human explanation of a GRDB or POSIX error, with what to do about it where that is known.
    static func reason(for error: any Error) -> String {
        if error is RowDecodingError {
            // Its description quotes the row, which may hold a file id: say what it means instead.
            return "a stored row has an unexpected value; the database may be damaged, restore a backup"
        }
        guard let error = error as? DatabaseError else { return String(describing: error) }
        let detail = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "unknown")"
        switch error.resultCode {
        case .SQLITE_FULL:
            return "the disk is full (\(detail)); free space on the file system holding the state directory"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return "the database is not writable (\(detail)); check owner and mode of the file and its directory"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the database is locked (\(detail)); is another olafd using the same state directory?"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "the file is damaged or not an olafd database (\(detail)); restore a backup or move it aside"
        case .SQLITE_CANTOPEN:
            return "SQLite cannot open the file (\(detail))"
        case .SQLITE_IOERR:
            return "an I/O error occurred (\(detail)); check the disk and the kernel log"
        default:
            return detail
        }
    }
}
