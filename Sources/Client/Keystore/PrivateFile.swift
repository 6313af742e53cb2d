import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// 0600 files written atomically (temp file, fsync, rename), for the keystore.
enum PrivateFile {
    static func save(_ contents: String, to path: String) throws(ClientKeystoreError) {
        let temporary = path + ".tmp-\(getpid())"
        // A leftover of a crash is removed; the new file is created exclusively and never through a symbolic link
        // someone planted under that name.
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

    /// Refuses a secret file (a passphrase file) that is a symbolic link or not a regular file, belongs to another
    /// user, or grants group or others any access. Nothing is checked when it does not exist.
    static func verifySecret(_ path: String) throws(ClientKeystoreError) {
        switch ownership(of: path, directory: false) {
        case .missing: return
        case .unfit(let reason): throw .passphraseUnreadable(path: path, reason: reason)
        case .owned(let permissions) where permissions & (S_IRWXG | S_IRWXO) != 0:
            let mode = String(permissions & 0o777, radix: 8)
            throw .passphraseUnreadable(
                path: path, reason: "group or others may access it (mode 0\(mode)); fix it with: chmod 600 \(path)")
        case .owned: return
        }
    }

    /// What `lstat` says of a path that is to hold this user's secrets.
    enum Ownership {
        case missing
        /// A symbolic link, the wrong kind of file, or someone else's: why, for the user.
        case unfit(String)
        /// A real file (or directory) of this user, with these permission bits.
        case owned(permissions: mode_t)
    }

    /// Whether `path` is a real directory (or regular file) owned by this user, never following a symbolic link.
    static func ownership(of path: String, directory: Bool) -> Ownership {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            return .unfit(
                directory
                    ? "it is a symbolic link; point --data-dir at the real directory"
                    : "it is a symbolic link; point the option at the real file")
        }
        guard (info.st_mode & S_IFMT) == (directory ? S_IFDIR : S_IFREG) else {
            return .unfit(directory ? "not a directory" : "it is not a regular file")
        }
        guard info.st_uid == geteuid() else { return .unfit("it belongs to uid \(info.st_uid), not to this user") }
        return .owned(permissions: info.st_mode & 0o7777)
    }

    /// The file's text, or nil when it does not exist.
    static func read(_ path: String) throws(ClientKeystoreError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .passphraseUnreadable(path: path, reason: error.localizedDescription)
        }
    }
}
