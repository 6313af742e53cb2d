/// Refusals of the file store that callers map to HTTP statuses. I/O and metadata-store failures are
/// propagated as their own errors (→ 500).
public enum FileStoreError: Error, Sendable, Equatable {
    /// The upload is larger than ``FileStoreConfiguration/maxUploadBytes`` (→ 413).
    case tooLarge(limit: Int64)
    /// Storing the upload would exceed ``FileStoreConfiguration/maxTotalBytes`` (→ 507).
    case quotaExceeded
    /// The file system holding the store ran out of space (ENOSPC or EDQUOT) while writing (→ 507). The partial
    /// upload has been removed.
    case diskFull
}
