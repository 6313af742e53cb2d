import LocalFiles
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
    static func reason(for error: any Error) -> String { SQLiteDatabase.reason(for: error, program: "olafd") }

    /// The store's error for a database that could not be opened.
    init(_ error: SQLiteDatabase.OpenError) {
        switch error {
        case .cannotOpen(let path, let reason): self = .cannotOpen(path: path, reason: reason)
        case .newerSchema(let path): self = .newerSchema(path: path)
        case .migrationFailed(let path, let reason): self = .migrationFailed(path: path, reason: reason)
        }
    }
}
