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

    /// Throws ``FileStoreError/quotaExceeded`` unless `bytes` more would fit now. Reserves nothing: an upload
    /// that declares its size is refused at once when it cannot fit, but holds only what it has sent (a silent
    /// upload that declared 100 MiB must not lock 100 MiB of the quota).
    func check(_ bytes: Int64) async throws {
        try await loadCommitted()
        _ = try inFlightTotal(adding: bytes)
    }

    /// Reserves `bytes` for an upload, or throws ``FileStoreError/quotaExceeded``.
    func reserve(_ bytes: Int64) async throws {
        try await loadCommitted()
        self.inFlightBytes = try inFlightTotal(adding: bytes)
    }

    /// The bytes in flight once `bytes` more are added; throws ``FileStoreError/quotaExceeded`` when committed
    /// and in-flight bytes together would pass the quota (or overflow). Synchronous: nothing can interleave
    /// between the check and a reservation that uses it.
    private func inFlightTotal(adding bytes: Int64) throws -> Int64 {
        let used = (self.committedBytes ?? 0).addingReportingOverflow(self.inFlightBytes)
        let wanted = used.partialValue.addingReportingOverflow(bytes)
        guard bytes >= 0, !used.overflow, !wanted.overflow, wanted.partialValue <= self.maxTotalBytes else {
            throw FileStoreError.quotaExceeded
        }
        return wanted.partialValue - (self.committedBytes ?? 0)
    }

    private func loadCommitted() async throws {
        if self.committedBytes == nil {
            let total = try await self.metadata.totalFileBytes()
            // Another call may have loaded it while this one was suspended; keep the first value.
            if self.committedBytes == nil { self.committedBytes = total }
        }
    }

    /// Bytes reserved by uploads in flight (for tests and status).
    var reservedBytes: Int64 { inFlightBytes }

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
