import Core
import Synchronization
public import Foundation
public import NIOCore
public import NIOPosix
import _NIOFileSystem

/// The on-disk store for uploaded files.
///
/// Layout under ``FileStoreConfiguration/directory`` (folders 0700, files 0600):
/// - `tmp/<id>.part`: uploads being written. Never served; removed on failure and swept by ``prepare()``.
/// - `files/<id>`: complete files, fsynced, then renamed in (and the folder fsynced) before their metadata row is
///   inserted. Only files with metadata are served, so a crash at any point never exposes a partial file.
///
/// All file I/O goes through `_NIOFileSystem` on a `NIOThreadPool` (never on an event loop). Writes run in the
/// caller's task; the only shared state is the quota ledger actor. All mutations of stored files must go
/// through this type so the quota accounting stays exact.
public struct FileStore: Sendable {
    /// What ``prepare()`` cleaned up.
    public struct SweepResult: Sendable, Equatable {
        /// Leftover `tmp/*.part` files removed (uploads interrupted by a crash).
        public var temporaryFilesRemoved: Int
        /// Files in `files/` without metadata removed (a crash between rename and metadata insert).
        public var orphanedFilesRemoved: Int

        /// Creates a sweep result.
        public init(temporaryFilesRemoved: Int, orphanedFilesRemoved: Int) {
            self.temporaryFilesRemoved = temporaryFilesRemoved
            self.orphanedFilesRemoved = orphanedFilesRemoved
        }
    }

    /// A stored file ready to be served.
    public struct OpenedFile: Sendable, Equatable {
        /// Absolute or configured-relative path of the bytes on disk.
        public var path: String
        /// The file's metadata row.
        public var metadata: StoredFile
    }

    /// What to record for a completed upload (returned from the ``withUpload(expectedSize:_:)`` closure).
    public struct UploadDetails: Sendable, Equatable {
        /// Client-supplied name; sanitised by the store.
        public var name: String
        /// Declared content type; stored only if it looks like a media type.
        public var contentType: String?

        /// Creates upload details.
        public init(name: String, contentType: String?) {
            self.name = name
            self.contentType = contentType
        }
    }

    /// The configuration this store was created with.
    public let configuration: FileStoreConfiguration
    private let metadata: any FileMetadataStore
    private let makeHasher: @Sendable () -> any StreamingHasher
    private let now: @Sendable () -> Date
    private let fileSystem: FileSystem
    private let ledger: QuotaLedger

    /// Bytes of the quota held by uploads in flight (each holds what it has received so far).
    public var reservedUploadBytes: Int64 { get async { await ledger.reservedBytes } }
    private let temporaryDirectory: FilePath
    private let filesDirectory: FilePath
    private let uploaded = ByteTally()

    /// Bytes of every upload stored since this process started (for metrics).
    public var uploadedBytesTotal: Int64 { uploaded.total }

    /// Creates a store. Call ``prepare()`` once at start-up, before serving requests.
    /// - Parameters:
    ///   - metadata: where file rows live (the server's SQLite store in production).
    ///   - threadPool: the pool blocking file-system calls run on (the same default Hummingbird's `FileIO` uses).
    ///   - makeHasher: creates one SHA-256 hasher per upload (OlafCrypto's, in production).
    ///   - now: the clock used for `uploadedAt`, expiry, and for hiding expired files.
    public init(
        configuration: FileStoreConfiguration,
        metadata: any FileMetadataStore,
        threadPool: NIOThreadPool = .singleton,
        makeHasher: @escaping @Sendable () -> any StreamingHasher,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.metadata = metadata
        self.makeHasher = makeHasher
        self.now = now
        self.fileSystem = FileSystem(threadPool: threadPool)
        self.ledger = QuotaLedger(maxTotalBytes: configuration.maxTotalBytes, metadata: metadata)
        let root = FilePath(configuration.directory)
        self.temporaryDirectory = root.appending("tmp")
        self.filesDirectory = root.appending("files")
    }

    // MARK: Start-up

    /// Creates the folders (0700), deletes leftover `tmp/*.part` files and files without metadata, and loads the
    /// quota total. Start-up only: running it while uploads are in flight would delete their temporary files.
    @discardableResult
    public func prepare() async throws -> SweepResult {
        try await self.createDirectories()
        var result = SweepResult(temporaryFilesRemoved: 0, orphanedFilesRemoved: 0)
        for name in try await self.regularFileNames(in: self.temporaryDirectory) where name.hasSuffix(".part") {
            result.temporaryFilesRemoved += try await self.fileSystem.removeItem(
                at: self.temporaryDirectory.appending(name), strategy: .platformDefault, recursively: false)
        }
        for name in try await self.regularFileNames(in: self.filesDirectory) where FileID.isValid(name) {
            if try await self.metadata.file(id: name) == nil {
                result.orphanedFilesRemoved += try await self.fileSystem.removeItem(
                    at: self.filesDirectory.appending(name), strategy: .platformDefault, recursively: false)
            }
        }
        await self.ledger.resynchronise(committed: try await self.metadata.totalFileBytes())
        return result
    }

    private func createDirectories() async throws {
        for directory in [FilePath(self.configuration.directory), self.temporaryDirectory, self.filesDirectory] {
            try await self.fileSystem.createDirectory(
                at: directory, withIntermediateDirectories: true, permissions: .ownerReadWriteExecute)
        }
    }

    private func regularFileNames(in directory: FilePath) async throws -> [String] {
        try await self.fileSystem.withDirectoryHandle(atPath: directory) { handle in
            var names: [String] = []
            for try await batch in handle.listContents().batched() {
                for entry in batch where entry.type == .regular {
                    names.append(entry.name.string)
                }
            }
            return names
        }
    }

    // MARK: Writing

    /// Stores `body` as a new file.
    /// - Parameters:
    ///   - expectedSize: the size if known in advance (e.g. Content-Length of a raw upload): checked against the
    ///     limit and quota before anything is written (the quota is then reserved as bytes arrive).
    /// - Throws: ``FileStoreError`` when too large, over quota or out of disk space; I/O, metadata, and body-stream errors as-is.
    ///   Nothing is left behind on failure.
    public func store<Body: AsyncSequence>(
        _ body: Body,
        name: String,
        contentType: String?,
        expectedSize: Int64? = nil
    ) async throws -> StoredFile where Body.Element == ByteBuffer {
        let stored = try await self.withUpload(expectedSize: expectedSize) { writer in
            for try await chunk in body {
                try await writer.write(chunk)
            }
            return UploadDetails(name: name, contentType: contentType)
        }
        // withUpload returns nil only when its closure does, which this one never does.
        guard let stored else { throw UploadDiscarded() }
        return stored
    }

    /// Runs `produce` with a writer streaming into a fresh temporary file. If `produce` returns details, the file
    /// is fsynced, renamed into place, and recorded; if it returns nil or throws, the temporary file is deleted.
    /// - Returns: the stored file's metadata, or nil when `produce` returned nil.
    public func withUpload(
        expectedSize: Int64? = nil,
        _ produce: (inout FileUploadWriter) async throws -> UploadDetails?
    ) async throws -> StoredFile? {
        if let expectedSize, expectedSize > self.configuration.maxUploadBytes {
            throw FileStoreError.tooLarge(limit: self.configuration.maxUploadBytes)
        }
        // Refused at once when the declared size cannot fit; reserved only as bytes arrive.
        if let expectedSize { try await self.ledger.check(max(0, expectedSize)) }
        let initialReservation: Int64 = 0

        let id = FileID.generate()
        let temporaryPath = self.temporaryDirectory.appending("\(id).part")
        let finalPath = self.filesDirectory.appending(id)
        let handle: WriteFileHandle
        do {
            handle = try await self.openTemporaryFile(at: temporaryPath)
        } catch {
            await self.ledger.release(initialReservation)
            throw Self.diskFullOr(error)
        }

        // Phase 1: stream into the temporary file, fsync it, close it.
        var writer = FileUploadWriter(
            handle: handle, hasher: self.makeHasher(), maxUploadBytes: self.configuration.maxUploadBytes,
            ledger: self.ledger, reservedBytes: initialReservation)
        var closed = false
        let details: UploadDetails?
        do {
            details = try await produce(&writer)
            if details != nil {
                try await writer.flush()
                try await handle.synchronize()
            }
            closed = true
            try await handle.close()
        } catch {
            await self.discard(path: temporaryPath, handle: closed ? nil : handle)
            await self.ledger.release(writer.reservedBytes)
            throw Self.diskFullOr(error)
        }
        guard let details else {
            await self.discard(path: temporaryPath, handle: nil)
            await self.ledger.release(writer.reservedBytes)
            return nil
        }

        // Phase 2: publish: rename, fsync the folder, record metadata.
        do {
            try await self.fileSystem.moveItem(at: temporaryPath, to: finalPath)
        } catch {
            await self.discard(path: temporaryPath, handle: nil)
            await self.ledger.release(writer.reservedBytes)
            throw Self.diskFullOr(error)
        }
        let uploadedAt = self.now()
        let file = StoredFile(
            id: id,
            name: Self.sanitisedName(details.name),
            size: writer.bytesWritten,
            sha256: FileNames.hex(writer.digest()),
            contentType: FileNames.storedContentType(details.contentType),
            uploadedAt: uploadedAt,
            expiresAt: self.configuration.retention.map { uploadedAt.addingTimeInterval($0.inSeconds) })
        do {
            try await self.synchroniseDirectory(self.filesDirectory)
            try await self.metadata.insertFile(file)
        } catch {
            await self.discard(path: finalPath, handle: nil)
            await self.ledger.release(writer.reservedBytes)
            throw Self.diskFullOr(error)
        }
        await self.ledger.commit(reserved: writer.reservedBytes, size: file.size)
        self.uploaded.add(file.size)
        return file
    }

    /// ``FileStoreError/diskFull`` when `error` is the file system running out of space (ENOSPC, EDQUOT, in a
    /// write, fsync, open or rename), else `error` unchanged.
    static func diskFullOr(_ error: any Error) -> any Error {
        var current: (any Error)? = error
        var depth = 0
        while let candidate = current, depth < 8 {
            if let call = candidate as? FileSystemError.SystemCallError,
                call.errno == .noSpace || call.errno == .diskQuotaExceeded
            {
                return FileStoreError.diskFull
            }
            if let errno = candidate as? Errno, errno == .noSpace || errno == .diskQuotaExceeded {
                return FileStoreError.diskFull
            }
            current = (candidate as? FileSystemError)?.cause
            depth += 1
        }
        return error
    }

    /// Internal consistency error: an upload that ``store(_:name:contentType:expectedSize:)`` never discards was discarded.
    private struct UploadDiscarded: Error {}

    private func openTemporaryFile(at path: FilePath) async throws -> WriteFileHandle {
        let options = OpenOptions.Write(
            existingFile: .none,  // O_EXCL: ids are random, a clash is refused rather than overwritten
            newFile: .init(permissions: .ownerReadWrite, transactionalCreation: false),
            followSymbolicLinks: false,
            closeOnExec: true)
        do {
            return try await self.fileSystem.openFile(forWritingAt: path, options: options)
        } catch let error as FileSystemError where error.code == .notFound {
            // prepare() was not called (or the folders were deleted): create them and retry once.
            try await self.createDirectories()
            return try await self.fileSystem.openFile(forWritingAt: path, options: options)
        }
    }

    private func synchroniseDirectory(_ path: FilePath) async throws {
        try await self.fileSystem.withDirectoryHandle(atPath: path) { directory in
            try await directory.synchronize()
        }
    }

    /// Closes `handle` (if given) and deletes `path`, even if the current task is cancelled: cleanup must not be
    /// skipped because the thread pool refuses work for cancelled tasks. The child task is awaited at once.
    private func discard(path: FilePath, handle: WriteFileHandle?) async {
        let fileSystem = self.fileSystem
        await Task {
            if let handle { try? await handle.close() }
            _ = try? await fileSystem.removeItem(at: path, strategy: .platformDefault, recursively: false)
        }.value
    }

    // MARK: Reading and removal

    /// Looks a file up for serving. Returns nil (not found) for an id that is not exactly 32 lowercase hex
    /// characters, an unknown id, an expired file, or metadata whose bytes are missing (or not a regular file).
    public func open(id: String) async throws -> OpenedFile? {
        // The strict id check comes first and alone decides which paths can ever be built from a request.
        guard FileID.isValid(id), let file = try await self.metadata.file(id: id) else { return nil }
        if let expiresAt = file.expiresAt, expiresAt <= self.now() { return nil }
        let path = self.filesDirectory.appending(id)
        guard let info = try await self.fileSystem.info(forFileAt: path, infoAboutSymbolicLink: true),
            info.type == .regular
        else { return nil }
        return OpenedFile(path: path.string, metadata: file)
    }

    /// Deletes a file's metadata and bytes. Returns whether it existed.
    @discardableResult
    public func remove(id: String) async throws -> Bool {
        guard FileID.isValid(id), let file = try await self.metadata.file(id: id) else { return false }
        return try await self.delete(file)
    }

    /// Deletes every file whose `expiresAt` is at or before `now`. Returns how many were deleted.
    @discardableResult
    public func purgeExpired(now: Date) async throws -> Int {
        var removed = 0
        for file in try await self.metadata.expiredFiles(at: now) {
            if try await self.delete(file) { removed += 1 }
        }
        return removed
    }

    /// Metadata first (the file stops being served at once), then the bytes. A row with a malformed id (never
    /// written by this store) only loses its row: no path is ever built from an unvalidated id.
    private func delete(_ file: StoredFile) async throws -> Bool {
        guard try await self.metadata.removeFile(id: file.id) else { return false }
        await self.ledger.removed(size: file.size)
        if FileID.isValid(file.id) {
            try await self.fileSystem.removeItem(
                at: self.filesDirectory.appending(file.id), strategy: .platformDefault, recursively: false)
        }
        return true
    }

    // MARK: Names and URLs

    /// The absolute download URL: `<publicBaseURL>/api/files/<id>/<percent-encoded name>`.
    public func fileURL(for file: StoredFile) -> String {
        var base = Substring(self.configuration.publicBaseURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        return "\(base)/api/files/\(file.id)/\(FileNames.percentEncoded(file.name))"
    }

    /// Makes a client-supplied name safe to store and serve: keeps the last path component (splitting on `/` and
    /// `\`), drops control characters, bidi overrides, quotes and `;`, trims dots and whitespace at both ends,
    /// caps it at 200 UTF-8 bytes (on a character boundary), and falls back to `file` when nothing is left.
    public static func sanitisedName(_ name: String) -> String {
        FileNames.sanitise(name)
    }

    /// Whether `id` has the form of a file id (exactly 32 lowercase hex characters).
    public static func isValidID(_ id: String) -> Bool {
        FileID.isValid(id)
    }
}

/// A running total of bytes, safe to bump from any task.
final class ByteTally: Sendable {
    private let value = Atomic<Int64>(0)
    func add(_ bytes: Int64) { value.add(bytes, ordering: .relaxed) }
    var total: Int64 { value.load(ordering: .relaxed) }
}
