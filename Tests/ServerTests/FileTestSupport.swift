import OlafTestSupport
import Foundation
import NIOCore
import Server
import Synchronization

/// In-memory `FileMetadataStore` for tests.
actor InMemoryFileMetadataStore: FileMetadataStore {
    private var rows: [String: StoredFile] = [:]

    func insertFile(_ file: StoredFile) async throws {
        self.rows[file.id] = file
    }

    func file(id: String) async throws -> StoredFile? {
        self.rows[id]
    }

    func files() async throws -> [StoredFile] {
        self.rows.values.sorted { $0.id < $1.id }
    }

    func removeFile(id: String) async throws -> Bool {
        self.rows.removeValue(forKey: id) != nil
    }

    func expiredFiles(at date: Date) async throws -> [StoredFile] {
        self.rows.values.filter { file in file.expiresAt.map { $0 <= date } ?? false }.sorted { $0.id < $1.id }
    }

    func totalFileBytes() async throws -> Int64 {
        self.rows.values.reduce(0) { $0 + $1.size }
    }
}

/// A metadata store that answers every lookup with a row, as a sloppy database query might (case-insensitive
/// collation, LIKE, trimming...). With it only the store's strict id check stands between a crafted id and the
/// file system, which is what the traversal tests need to exercise.
actor LenientMetadataStore: FileMetadataStore {
    private let inner = InMemoryFileMetadataStore()

    func insertFile(_ file: StoredFile) async throws { try await self.inner.insertFile(file) }

    func file(id: String) async throws -> StoredFile? {
        if let file = try await self.inner.file(id: id) { return file }
        return StoredFile(
            id: id, name: "fabricated", size: 6, sha256: "", contentType: "text/plain",
            uploadedAt: Date(timeIntervalSince1970: 0), expiresAt: nil)
    }

    func files() async throws -> [StoredFile] { try await self.inner.files() }
    func removeFile(id: String) async throws -> Bool { try await self.inner.removeFile(id: id) }
    func expiredFiles(at date: Date) async throws -> [StoredFile] { try await self.inner.expiredFiles(at: date) }
    func totalFileBytes() async throws -> Int64 { try await self.inner.totalFileBytes() }
}

/// A stand-in for SHA-256 (the real one comes from OlafCrypto): 64-bit FNV-1a plus the byte count, so tests can
/// check that every byte reached the hasher exactly once and in order.
struct FakeHasher: StreamingHasher {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325
    private var count: UInt64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            self.state = (self.state ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        self.count &+= UInt64(bytes.count)
    }

    consuming func finalize() -> [UInt8] {
        withUnsafeBytes(of: self.state.bigEndian, Array.init) + withUnsafeBytes(of: self.count.bigEndian, Array.init)
    }

    /// Lowercase hex digest of `bytes`, as the store records it.
    static func hexDigest(of bytes: [UInt8]) -> String {
        var hasher = FakeHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// The shape olafd's OpenSSL hasher will likely take (a class owning a C context): checks that a reference type
/// can conform to `StreamingHasher`, and delegates to `FakeHasher`.
final class ReferenceHasher: StreamingHasher {
    private var inner = FakeHasher()

    func update(_ bytes: UnsafeRawBufferPointer) {
        self.inner.update(bytes)
    }

    func finalize() -> [UInt8] {
        self.inner.finalize()
    }
}

/// A settable clock for expiry tests.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ date: Date) {
        self.current = Mutex(date)
    }

    var now: Date { self.current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        self.current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A fresh temporary folder, deleted by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("olaf-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.path = url.path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    /// Names of the entries in a subfolder (empty if it does not exist).
    func contents(of subfolder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: self.path + "/" + subfolder)) ?? []).sorted()
    }
}

/// Everything a file-store test needs.
struct FileStoreFixture {
    let directory: TemporaryDirectory
    let metadata: any FileMetadataStore
    let store: FileStore
    let clock: TestClock

    init(
        maxUploadBytes: Int64 = 16 * 1024 * 1024,
        maxTotalBytes: Int64 = 64 * 1024 * 1024,
        retention: Duration? = nil,
        publicBaseURL: String = "https://chat.example.org:8443",
        metadata: any FileMetadataStore = InMemoryFileMetadataStore()
    ) throws {
        self.directory = try TemporaryDirectory()
        self.metadata = metadata
        self.clock = TestClock(Date(timeIntervalSince1970: 1_700_000_000))
        let clock = self.clock
        self.store = FileStore(
            configuration: FileStoreConfiguration(
                directory: self.directory.path + "/store", maxUploadBytes: maxUploadBytes, maxTotalBytes: maxTotalBytes,
                retention: retention, publicBaseURL: publicBaseURL),
            metadata: self.metadata,
            makeHasher: { FakeHasher() },
            now: { clock.now })
    }

    var root: String { self.directory.path + "/store" }

    func temporaryFiles() -> [String] { self.directory.contents(of: "store/tmp") }

    func storedFiles() -> [String] { self.directory.contents(of: "store/files") }
}

/// Bytes with every value 0...255, repeated to `count`, with a little variation so chunks differ.
func testBytes(count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &+ ($0 >> 8) &* 7) }
}

/// An async sequence of `bytes` in chunks cycling through `sizes`.
func chunked(_ bytes: [UInt8], sizes: [Int]) -> AsyncStream<ByteBuffer> {
    AsyncStream { continuation in
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = min(sizes[index % sizes.count], bytes.count - offset)
            continuation.yield(ByteBuffer(bytes: bytes[offset..<(offset + size)]))
            offset += size
            index += 1
        }
        continuation.finish()
    }
}
