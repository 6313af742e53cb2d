#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes secrets (keys, passphrase-protected key files) the same way for olafd and olaf-client: a temporary
/// file created exclusively and never through a symbolic link, mode 0600, written whole and synced, renamed over
/// the target, and the directory synced so the rename survives a crash.
public enum SecretFile {
    /// Why a secret could not be written: the path and the system's reason.
    public struct WriteError: Error, Sendable, Equatable {
        public let path: String
        public let reason: String
    }

    /// Replaces `path` with `contents` atomically (mode 0600).
    public static func write(_ contents: String, to path: String) throws(WriteError) {
        let temporary = path + ".tmp-\(getpid())"
        // A leftover of a crash is removed; the new file is created exclusively and never through a symbolic link
        // someone planted under that name.
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        let complete = writeAll(Array(contents.utf8), to: descriptor)
        let synced = complete && fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            let reason = complete ? String(cString: strerror(errno)) : "short write: \(String(cString: strerror(errno)))"
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        syncDirectory(of: path)
    }

    /// Writes every byte, retrying short writes and interruptions.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                writeBytes(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Syncs the directory holding `path` (its new entry); a directory that cannot be opened is left as is.
    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// The C `write` (the enum's own `write` shadows it inside).
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, bytes, count) }
