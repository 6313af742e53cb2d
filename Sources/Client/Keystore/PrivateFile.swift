import Foundation
import LocalFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The keystore's files: 0600 secrets written through `SecretFile`, and the checks of secret files and directories.
enum PrivateFile {
    /// Writes `contents` to `path` atomically with mode 0600 (`SecretFile`: exclusive, no symbolic links,
    /// file and directory synced).
    static func save(_ contents: String, to path: String) throws(ClientKeystoreError) {
        do {
            try SecretFile.write(contents, to: path)
        } catch {
            throw .cannotWrite(path: error.path, reason: error.reason)
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
