import Foundation

/// Safe creation of the control socket path: never follows a symlink, never takes over a path someone else
/// owns, removes our own stale socket, and after binding restricts it to mode 0660 and the `olafd` group.
public enum ControlSocket {
    /// The group whose members may use the control API.
    public static let groupName = "olafd"

    /// Checks `path` before binding; removes a stale socket we own.
    static func prepare(path: String) throws(ControlError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else {
                throw .unsafeSocketPath(path: path, reason: String(cString: strerror(errno)))
            }
            let parent = (path as NSString).deletingLastPathComponent
            guard FileManager.default.fileExists(atPath: parent.isEmpty ? "." : parent) else {
                throw .unsafeSocketPath(path: path, reason: "its directory does not exist")
            }
            return
        }
        if (info.st_mode & S_IFMT) == S_IFLNK { throw .unsafeSocketPath(path: path, reason: "it is a symbolic link") }
        if info.st_uid != geteuid() {
            throw .unsafeSocketPath(path: path, reason: "it belongs to uid \(info.st_uid), not to this user")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw .unsafeSocketPath(path: path, reason: "it exists and is not a socket")
        }
        unlink(path)
    }

    /// After binding: mode 0660, group `olafd` when that group exists.
    static func restrict(path: String) {
        chmod(path, 0o660)
        if let group = UserDatabase.groupID(named: groupName) { chown(path, uid_t.max, group) }
    }
}
