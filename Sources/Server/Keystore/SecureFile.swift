import Foundation
import LocalFiles

/// Small file helpers for secrets and state: private directories, 0600 files written atomically.
enum SecureFile {
    /// Creates `path` (and parents) with mode 0700 if missing; throws when it is not a writable directory or when
    /// ``StatePermissions`` finds it (or the secrets in it) unsafe.
    static func prepareDirectory(_ path: String) throws(KeystoreError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            // Exists (as whatever): ownership, modes and type are checked before anything in it is trusted.
            try StatePermissions.verify(stateDirectory: path)
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .stateDirectoryUnusable(path: path, reason: error.localizedDescription)
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw .stateDirectoryUnusable(path: path, reason: "not writable by this user")
        }
    }

    /// Writes `contents` to `path` atomically with mode 0600 (`SecretFile`: exclusive, no symbolic links,
    /// file and directory synced).
    static func writePrivate(_ contents: String, to path: String) throws(KeystoreError) {
        do {
            try SecretFile.write(contents, to: path)
        } catch {
            throw .cannotWrite(path: error.path, reason: error.reason)
        }
    }

    /// Reads a text file; nil when it does not exist.
    static func read(_ path: String) throws(KeystoreError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .passphraseUnreadable(path: path, reason: error.localizedDescription)
        }
    }
}
