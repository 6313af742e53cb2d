import Glibc

/// A file's device and inode numbers: what `JOURNAL_STREAM` records (`"<st_dev>:<st_ino>"` in decimal) for the
/// stream systemd connected to stdout/stderr.
struct FileIdentity: Sendable, Equatable {
    /// `st_dev`.
    let device: UInt64
    /// `st_ino`.
    let inode: UInt64

    /// The identity of open descriptor `descriptor` (via `fstat(2)`), or `nil` if it is not open.
    init?(fileDescriptor descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// Parses a `JOURNAL_STREAM` value, or returns `nil` if it is not `"<decimal>:<decimal>"`.
    init?(journalStream value: String) {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        self.device = device
        self.inode = inode
    }
}
