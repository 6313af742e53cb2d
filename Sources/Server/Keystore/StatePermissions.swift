import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Start-up checks on who owns the state directory and its secrets, the way an operator expects from sshd's
/// `StrictModes`: olafd refuses to start rather than trust state another user could change or read.
///
/// Checked with `lstat` and explicit mode/owner comparisons (as root, `access(2)` would allow everything):
/// - the state directory is a real directory (not a file, not a symbolic link), owned by the user olafd runs
///   as, and not writable by group or others;
/// - `server-key.pem`, `keystore-passphrase` and `olafd.sqlite`, where they exist, are regular files (not symbolic
///   links) owned by that user; the key and passphrase files grant nothing to group or others (0600), the
///   database is not writable by group or others.
enum StatePermissions {
    /// Files in the state directory that hold secrets: no access at all for group or others.
    static let secretFiles = [ServerKeystore.keyFileName, ServerKeystore.developmentPassphraseFileName]
    /// Files in the state directory that hold state: not writable by group or others.
    static let stateFiles = ["olafd.sqlite"]

    /// Checks an existing state directory and the files in it; throws the first problem found.
    static func verify(stateDirectory path: String, userID: uid_t = geteuid()) throws(KeystoreError) {
        let directory = try status(of: path)
        if (directory.st_mode & S_IFMT) == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw .unsafeState(
                path: path, problem: "is a symbolic link (to \(target))",
                fix: "point --state-dir (state_dir) at the real directory \(target)")
        }
        guard (directory.st_mode & S_IFMT) == S_IFDIR else {
            throw .stateDirectoryUnusable(path: path, reason: "not a directory")
        }
        try checkOwner(directory, path: path, userID: userID, isDirectory: true)
        if directory.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw .unsafeState(
                path: path, problem: "is writable by \(who(directory.st_mode, write: true)) (mode \(octal(directory)))",
                fix: "chmod 700 \(path)")
        }
        for name in secretFiles + stateFiles {
            let file = (path as NSString).appendingPathComponent(name)
            try verify(
                file: file, secret: secretFiles.contains(name), userID: userID,
                linkFix: "replace it with the real file (mv TARGET \(file))")
        }
    }

    /// Checks a secret file outside the state directory (`--passphrase-file`) as the secrets inside it are checked:
    /// a regular file (not a symbolic link) owned by the user olafd runs as, with no access for group or others.
    /// Nothing is checked when the file does not exist (the caller reports that).
    static func verify(secretFile path: String, userID: uid_t = geteuid()) throws(KeystoreError) {
        try verify(file: path, secret: true, userID: userID, linkFix: "point the option at the real file")
    }

    /// One file, when it exists: a regular file of `userID`; a secret grants group and others nothing, other state
    /// is not writable by them. `linkFix` says what to do when it is a symbolic link or not a regular file.
    private static func verify(file: String, secret: Bool, userID: uid_t, linkFix: String) throws(KeystoreError) {
        guard let info = try statusIfPresent(of: file) else { return }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = (info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "not a regular file"
            throw .unsafeState(path: file, problem: "is \(kind)", fix: linkFix)
        }
        try checkOwner(info, path: file, userID: userID, isDirectory: false)
        let forbidden: mode_t = secret ? (S_IRWXG | S_IRWXO) : (S_IWGRP | S_IWOTH)
        if info.st_mode & forbidden != 0 {
            let problem =
                secret
                ? "is accessible to \(who(info.st_mode, write: false)) (mode \(octal(info)))"
                : "is writable by \(who(info.st_mode, write: true)) (mode \(octal(info)))"
            throw .unsafeState(path: file, problem: problem, fix: "chmod 600 \(file)")
        }
    }

    private static func checkOwner(_ info: stat, path: String, userID: uid_t, isDirectory: Bool) throws(KeystoreError) {
        guard info.st_uid != userID else { return }
        let owner = userName(info.st_uid)
        let runner = userName(userID)
        throw .unsafeState(
            path: path, problem: "is owned by \(owner), but olafd runs as \(runner)",
            fix: "run olafd as \(owner), or chown \(isDirectory ? "-R " : "")\(runner) \(path)")
    }

    private static func status(of path: String) throws(KeystoreError) -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .stateDirectoryUnusable(path: path, reason: String(cString: strerror(errno)))
        }
        return info
    }

    private static func statusIfPresent(of path: String) throws(KeystoreError) -> stat? {
        var info = stat()
        if lstat(path, &info) == 0 { return info }
        if errno == ENOENT { return nil }
        throw .stateDirectoryUnusable(path: path, reason: String(cString: strerror(errno)))
    }

    private static func who(_ mode: mode_t, write: Bool) -> String {
        let group: mode_t = write ? S_IWGRP : S_IRWXG
        let other: mode_t = write ? S_IWOTH : S_IRWXO
        switch (mode & group != 0, mode & other != 0) {
        case (true, true): return "group and others"
        case (true, false): return "its group"
        default: return "others"
        }
    }

    private static func octal(_ info: stat) -> String { "0" + String(info.st_mode & 0o7777, radix: 8) }

    private static func userName(_ id: uid_t) -> String {
        guard let account = UserDatabase.account(uid: id) else { return "uid \(id)" }
        return "\(account.name) (uid \(id))"
    }
}
