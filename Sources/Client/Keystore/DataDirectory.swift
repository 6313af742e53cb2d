import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The user's OLAF data directory (`--data-dir`, else `$XDG_DATA_HOME/olaf`, else `~/.local/share/olaf`):
/// keystore, SQLite store and the lock file that keeps a second olaf-client off the same identity (two daemons
/// would reuse counters).
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The default location from the environment.
    public static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            return (xdg as NSString).appendingPathComponent("olaf")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/share/olaf")
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates the directory (mode 0700) if missing. An existing one must be a real directory (not a symbolic
    /// link) of this user; one that grants group or others anything (0755 from an earlier `mkdir`) is narrowed
    /// to 0700, since it holds the keystore and the history. Throws when it is not a writable directory.
    public func prepare() throws(ClientKeystoreError) {
        switch PrivateFile.ownership(of: path, directory: true) {
        case .unfit(let reason):
            throw .dataDirectoryUnusable(path: path, reason: reason)
        case .owned(let permissions):
            if permissions & (S_IRWXG | S_IRWXO) != 0, chmod(path, 0o700) != 0 {
                throw .dataDirectoryUnusable(
                    path: path, reason: "group or others may access it and chmod 700 failed: \(String(cString: strerror(errno)))")
            }
        case .missing:
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .dataDirectoryUnusable(path: path, reason: error.localizedDescription)
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw .dataDirectoryUnusable(path: path, reason: "not writable by this user")
        }
    }

    /// Takes an exclusive advisory lock on `olaf-client.lock`, held until the returned lock is released or the
    /// process exits. Throws `dataDirectoryInUse` when another process holds it.
    public func lock() throws(ClientKeystoreError) -> DirectoryLock {
        let lockPath = file("olaf-client.lock")
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .dataDirectoryUnusable(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .dataDirectoryInUse(path: path)
        }
        return DirectoryLock(descriptor: descriptor)
    }
}

/// An exclusive lock on a data directory; released by `release()` (or by process exit).
public final class DirectoryLock: Sendable {
    private let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Releases the lock.
    public func release() { close(descriptor) }
}
