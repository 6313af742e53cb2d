import CSystemd
import Glibc

/// Hands one entry's fields to journald with `sd_journal_sendv` (libsystemd's native protocol, which keeps values
/// with line breaks intact).
enum JournalWriter {
    /// Sends `fields` as one journal entry; returns 0 or a negative errno. With no journal socket at all
    /// libsystemd drops the entry and returns 0.
    static func send(_ fields: [(String, String)]) -> Int32 {
        guard !fields.isEmpty else { return -EINVAL }
        // One contiguous buffer of "NAME=value" byte strings, so every iovec points into stable memory.
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        for (name, value) in fields {
            let start = buffer.count
            buffer.append(contentsOf: name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: value.utf8)
            ranges.append(start..<buffer.count)
        }
        return buffer.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return -EINVAL }
            let vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
