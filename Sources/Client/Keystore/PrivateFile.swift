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
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            throw .passphraseUnreadable(path: path, reason: "it is a symbolic link; point the option at the real file")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .passphraseUnreadable(path: path, reason: "it is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw .passphraseUnreadable(path: path, reason: "it belongs to uid \(info.st_uid), not to this user")
        }
        if info.st_mode & (S_IRWXG | S_IRWXO) != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw .passphraseUnreadable(
                path: path, reason: "group or others may access it (mode 0\(mode)); fix it with: chmod 600 \(path)")
        }
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
