import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file in which a running olaf-client keeps its UI URL (access token included) for `olaf-client url`, so
/// that the token never has to go into a log or a journal that others may read. Mode 0600, written atomically
/// once the UI listens, removed at a clean exit.
///
/// Where: `<data dir>/ui-url` when `--data-dir` was given (one file per identity), else
/// `$XDG_RUNTIME_DIR/olaf-client/ui-url` (the user's own 0700 tmpfs folder, emptied at logout; the user unit's
/// `RuntimeDirectory=olaf-client`), else `<default data dir>/ui-url`.
public struct UIURLFile: Sendable, Equatable {
    /// The file's path.
    public let path: String

    public init(path: String) { self.path = path }

    /// The file for a data directory given explicitly (`explicitDataDirectory`) or the default one.
    public static func forDataDirectory(
        _ directory: DataDirectory, explicit: Bool, environment: [String: String]
    ) -> UIURLFile {
        if !explicit, let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return UIURLFile(path: (runtime as NSString).appendingPathComponent("olaf-client/ui-url"))
        }
        return UIURLFile(path: directory.file("ui-url"))
    }

    /// Writes `url` (0600; its folder is created 0700 when missing).
    public func write(_ url: String) throws(UIURLFileError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
        }
        do {
            try PrivateFile.save(url + "\n", to: path)
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The URL a running olaf-client wrote. Throws `.notRunning` when there is none.
    public func read() throws(UIURLFileError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .notRunning(path: path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .unreadable(path: path, reason: "it does not hold a URL")
        }
        return url
    }

    /// Removes the file (a clean exit: the URL no longer works).
    public func remove() {
        unlink(path)
    }
}

/// Why `olaf-client url` has no URL to print. Messages never contain the token.
public enum UIURLFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case notRunning(path: String)
    case unreadable(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .notRunning(let path):
            "olaf-client is not running (no UI URL in \(path)); start it, e.g. systemctl --user start olaf-client"
        case .unreadable(let path, let reason):
            "cannot read the UI URL from \(path) (\(reason))"
        case .cannotWrite(let path, let reason):
            "cannot write the UI URL to \(path) (\(reason))"
        }
    }
}
