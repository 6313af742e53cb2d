public import NIOCore
import _NIOFileSystem

/// Streams one upload into its temporary file: enforces the size limit and the quota as bytes arrive, hashes
/// them, and coalesces small chunks into larger writes. Only valid inside the closure given to
/// ``FileStore/withUpload(expectedSize:_:)``.
public struct FileUploadWriter {
    /// Writes are coalesced up to this many bytes before going to the thread pool.
    static let writeChunkBytes = 256 * 1024

    private let handle: WriteFileHandle
    private var hasher: any StreamingHasher
    private let maxUploadBytes: Int64
    private let ledger: QuotaLedger
    private var pending = ByteBuffer()
    private var fileOffset: Int64 = 0
    /// Bytes accepted so far (written or pending).
    public private(set) var bytesWritten: Int64 = 0
    /// Bytes currently reserved against the quota for this upload.
    private(set) var reservedBytes: Int64

    init(
        handle: WriteFileHandle, hasher: any StreamingHasher, maxUploadBytes: Int64, ledger: QuotaLedger,
        reservedBytes: Int64
    ) {
        self.handle = handle
        self.hasher = hasher
        self.maxUploadBytes = maxUploadBytes
        self.ledger = ledger
        self.reservedBytes = reservedBytes
    }

    /// Appends `buffer` to the upload. Throws ``FileStoreError/tooLarge(limit:)`` once the upload would exceed
    /// the size limit and ``FileStoreError/quotaExceeded`` when the store is full; the upload is then discarded.
    public mutating func write(_ buffer: ByteBuffer) async throws {
        let count = Int64(buffer.readableBytes)
        guard count > 0 else { return }
        let total = self.bytesWritten + count
        guard total <= self.maxUploadBytes else { throw FileStoreError.tooLarge(limit: self.maxUploadBytes) }
        if total > self.reservedBytes {
            try await self.ledger.reserve(total - self.reservedBytes)
            self.reservedBytes = total
        }
        var hasher = self.hasher
        buffer.withUnsafeReadableBytes { hasher.update($0) }
        self.hasher = hasher
        self.bytesWritten = total

        if self.pending.readableBytes == 0, buffer.readableBytes >= Self.writeChunkBytes {
            try await self.writeToDisk(buffer)
        } else {
            self.pending.writeImmutableBuffer(buffer)
            if self.pending.readableBytes >= Self.writeChunkBytes { try await self.flush() }
        }
    }

    /// Writes any coalesced bytes to the file.
    mutating func flush() async throws {
        guard self.pending.readableBytes > 0 else { return }
        try await self.writeToDisk(self.pending)
        self.pending.clear()
    }

    /// The digest of all bytes written.
    func digest() -> [UInt8] {
        self.hasher.finalize()
    }

    private mutating func writeToDisk(_ buffer: ByteBuffer) async throws {
        let written = try await self.handle.write(contentsOf: buffer, toAbsoluteOffset: self.fileOffset)
        self.fileOffset += written
    }
}
