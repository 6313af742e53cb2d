import Foundation

/// Every client connection is a file descriptor, and Linux starts processes with a soft RLIMIT_NOFILE of 1024
/// unless told otherwise (systemd units included). The hard limit is what the administrator allows, so olafd
/// raises its soft limit to it at start-up, as most servers do.
enum OpenFileLimit {
    /// Raises the soft limit to the hard limit; returns (before, after) soft limits, or nil if unreadable.
    @discardableResult
    static func raiseToHardLimit() -> (before: UInt64, after: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return (before, UInt64(limit.rlim_cur))
    }
}
