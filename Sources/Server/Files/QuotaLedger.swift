/// Tracks bytes against ``FileStoreConfiguration/maxTotalBytes``: bytes of committed files (loaded once from the
/// metadata store, then kept up to date by the store's own commits and removals) plus bytes reserved by uploads
/// still in flight, so concurrent uploads cannot jointly overshoot the quota.
actor QuotaLedger {
    private let maxTotalBytes: Int64
    private let metadata: any FileMetadataStore
    private var committedBytes: Int64?
    private var inFlightBytes: Int64 = 0

    init(maxTotalBytes: Int64, metadata: any FileMetadataStore) {
        self.maxTotalBytes = maxTotalBytes
        self.metadata = metadata
    }

    /// Reserves `bytes` for an upload, or throws ``FileStoreError/quotaExceeded``.
    func reserve(_ bytes: Int64) async throws {
        if self.committedBytes == nil {
            let total = try await self.metadata.totalFileBytes()
            // Another reservation may have loaded it while this one was suspended; keep the first value.
            if self.committedBytes == nil { self.committedBytes = total }
        }
        let used = (self.committedBytes ?? 0).addingReportingOverflow(self.inFlightBytes)
        let wanted = used.partialValue.addingReportingOverflow(bytes)
        guard bytes >= 0, !used.overflow, !wanted.overflow, wanted.partialValue <= self.maxTotalBytes else {
            throw FileStoreError.quotaExceeded
        }
        self.inFlightBytes = wanted.partialValue - (self.committedBytes ?? 0)
    }

    /// Returns an aborted upload's reservation.
    func release(_ reserved: Int64) {
        self.inFlightBytes = max(0, self.inFlightBytes - reserved)
    }

    /// Turns an upload's reservation into a committed file of `size` bytes.
    func commit(reserved: Int64, size: Int64) {
        self.inFlightBytes = max(0, self.inFlightBytes - reserved)
        if let committed = self.committedBytes { self.committedBytes = committed + size }
    }

    /// Accounts for a removed file.
    func removed(size: Int64) {
        if let committed = self.committedBytes { self.committedBytes = max(0, committed - size) }
    }

    /// Replaces the committed total with a fresh value from the metadata store.
    func resynchronise(committed: Int64) {
        self.committedBytes = committed
    }
}
