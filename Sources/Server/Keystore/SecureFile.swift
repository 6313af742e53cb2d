import Foundation

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

    /// Writes `contents` to `path` atomically (temp file, fsync, rename) with mode 0600.
    static func writePrivate(_ contents: String, to path: String) throws(KeystoreError) {
        let temporary = path + ".tmp-\(getpid())"
        // A leftover of a crash is removed; the new file is created exclusively and never through a symbolic link.
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .cannotWrite(path: path, reason: reason)
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
