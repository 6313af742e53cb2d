import OlafTestSupport
import Foundation
import NIOCore
import Server
import Testing

@Suite("File store")
struct FileStoreTests {
    private func posixPermissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("round trip of a few MiB of binary bytes with every byte value")
    func roundTrip() async throws {
        let fixture = try FileStoreFixture(retention: .seconds(3600))
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let bytes = testBytes(count: 3 * 1024 * 1024 + 17)
        #expect(Set(bytes).count == 256)

        let file = try await fixture.store.store(
            chunked(bytes, sizes: [1, 5000, 65_536, 300_000, 3]), name: "../weird/name.bin",
            contentType: "application/x-test", expectedSize: nil)

        #expect(FileStore.isValidID(file.id))
        #expect(file.name == "name.bin")
        #expect(file.size == Int64(bytes.count))
        #expect(file.sha256 == FakeHasher.hexDigest(of: bytes))
        #expect(file.contentType == "application/x-test")
        #expect(file.uploadedAt == fixture.clock.now)
        #expect(file.expiresAt == fixture.clock.now.addingTimeInterval(3600))
        #expect(try await fixture.metadata.file(id: file.id) == file)

        let opened = try #require(try await fixture.store.open(id: file.id))
        #expect(opened.metadata == file)
        #expect(opened.path == fixture.root + "/files/" + file.id)
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: opened.path)))
        #expect(onDisk == bytes)
        #expect(fixture.temporaryFiles().isEmpty)
        #expect(fixture.storedFiles() == [file.id])
        #expect(try posixPermissions(opened.path) == 0o600)
        #expect(try posixPermissions(fixture.root + "/files") == 0o700)
        #expect(try posixPermissions(fixture.root + "/tmp") == 0o700)
        #expect(fixture.store.fileURL(for: file) == "https://chat.example.org:8443/api/files/\(file.id)/name.bin")
    }

    @Test("a class-based hasher plugs in the same way")
    func referenceHasher() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = FileStore(
            configuration: FileStoreConfiguration(
                directory: directory.path, maxUploadBytes: 1 << 20, maxTotalBytes: 1 << 20, retention: nil,
                publicBaseURL: "http://localhost:8080"),
            metadata: InMemoryFileMetadataStore(),
            makeHasher: { ReferenceHasher() })
        try await store.prepare()
        let bytes = testBytes(count: 70_000)
        let file = try await store.store(chunked(bytes, sizes: [999]), name: "r", contentType: nil, expectedSize: nil)
        #expect(file.sha256 == FakeHasher.hexDigest(of: bytes))
        #expect(file.expiresAt == nil)
    }

    @Test("purging a row with a malformed id removes only the row")
    func purgeMalformedRow() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        #expect(FileManager.default.createFile(atPath: fixture.root + "/secret", contents: Data("s".utf8)))
        try await fixture.metadata.insertFile(
            StoredFile(
                id: "../secret", name: "x", size: 1, sha256: "", contentType: "x/y", uploadedAt: fixture.clock.now,
                expiresAt: fixture.clock.now))
        #expect(try await fixture.store.purgeExpired(now: fixture.clock.now) == 1)
        #expect(try await fixture.metadata.files().isEmpty)
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/secret"))
    }

    @Test("two uploads get different ids; an empty upload is fine")
    func distinctIDs() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let first = try await fixture.store.store(chunked([], sizes: [1]), name: "", contentType: nil, expectedSize: 0)
        let second = try await fixture.store.store(
            chunked([1], sizes: [1]), name: "b", contentType: nil, expectedSize: 1)
        #expect(first.id != second.id)
        #expect(first.size == 0)
        #expect(first.name == "file")
        #expect(first.contentType == "application/octet-stream")
        #expect(fixture.storedFiles() == [first.id, second.id].sorted())
    }

    @Test("too large while streaming: refused, temporary file removed, nothing recorded")
    func tooLargeWhileStreaming() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        await #expect(throws: FileStoreError.tooLarge(limit: 1000)) {
            try await fixture.store.store(
                chunked(testBytes(count: 1001), sizes: [300]), name: "big", contentType: nil, expectedSize: nil)
        }
        #expect(fixture.temporaryFiles().isEmpty)
        #expect(fixture.storedFiles().isEmpty)
        #expect(try await fixture.metadata.files().isEmpty)
        // Exactly at the limit is accepted.
        let file = try await fixture.store.store(
            chunked(testBytes(count: 1000), sizes: [300]), name: "ok", contentType: nil, expectedSize: nil)
        #expect(file.size == 1000)
    }

    @Test("too large up front when the size is known, before any file is created")
    func tooLargeUpFront() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        await #expect(throws: FileStoreError.tooLarge(limit: 1000)) {
            try await fixture.store.store(chunked([], sizes: [1]), name: "x", contentType: nil, expectedSize: 1001)
        }
        #expect(fixture.temporaryFiles().isEmpty)
    }

    @Test("quota: checked up front and while streaming; removal frees space")
    func quotaExceeded() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000, maxTotalBytes: 1000)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let first = try await fixture.store.store(
            chunked(testBytes(count: 600), sizes: [100]), name: "a", contentType: nil, expectedSize: nil)

        await #expect(throws: FileStoreError.quotaExceeded) {
            try await fixture.store.store(
                chunked(testBytes(count: 600), sizes: [100]), name: "b", contentType: nil, expectedSize: 600)
        }
        await #expect(throws: FileStoreError.quotaExceeded) {
            try await fixture.store.store(
                chunked(testBytes(count: 600), sizes: [100]), name: "b", contentType: nil, expectedSize: nil)
        }
        #expect(fixture.temporaryFiles().isEmpty)
        #expect(fixture.storedFiles() == [first.id])

        // Exactly filling the quota works; the failed attempts released their reservations.
        let second = try await fixture.store.store(
            chunked(testBytes(count: 400), sizes: [100]), name: "c", contentType: nil, expectedSize: nil)
        #expect(try await fixture.metadata.totalFileBytes() == 1000)
        await #expect(throws: FileStoreError.quotaExceeded) {
            try await fixture.store.store(chunked([1], sizes: [1]), name: "d", contentType: nil, expectedSize: nil)
        }

        #expect(try await fixture.store.remove(id: second.id))
        let third = try await fixture.store.store(
            chunked(testBytes(count: 400), sizes: [100]), name: "e", contentType: nil, expectedSize: 400)
        #expect(fixture.storedFiles() == [first.id, third.id].sorted())
    }

    @Test("quota counts files already in the metadata store at start-up")
    func quotaFromExistingMetadata() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000, maxTotalBytes: 1000)
        defer { fixture.directory.remove() }
        try await fixture.metadata.insertFile(
            StoredFile(
                id: String(repeating: "a", count: 32), name: "old", size: 900, sha256: "", contentType: "x/y",
                uploadedAt: fixture.clock.now, expiresAt: nil))
        await #expect(throws: FileStoreError.quotaExceeded) {
            try await fixture.store.store(
                chunked(testBytes(count: 101), sizes: [50]), name: "b", contentType: nil, expectedSize: nil)
        }
    }

    @Test("concurrent uploads cannot jointly exceed the quota")
    func concurrentQuota() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000, maxTotalBytes: 1000)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let store = fixture.store
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    (try? await store.store(
                        chunked(testBytes(count: 400), sizes: [10]), name: "c", contentType: nil, expectedSize: nil))
                        != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        // Reservations are taken as bytes arrive, so interleaved uploads may all be refused, but together they
        // never exceed the quota (without in-flight accounting all four would succeed).
        let successes = results.filter { $0 }.count
        #expect(successes <= 2)
        #expect(try await fixture.metadata.totalFileBytes() == Int64(successes) * 400)
        #expect(fixture.temporaryFiles().isEmpty)
    }

    @Test("a discarded upload leaves nothing and releases its reservation")
    func discardedUpload() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000, maxTotalBytes: 1000)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let result = try await fixture.store.withUpload(expectedSize: nil) { writer in
            try await writer.write(ByteBuffer(bytes: testBytes(count: 900)))
            #expect(writer.bytesWritten == 900)
            return nil
        }
        #expect(result == nil)
        #expect(fixture.temporaryFiles().isEmpty)
        #expect(fixture.storedFiles().isEmpty)
        let file = try await fixture.store.store(
            chunked(testBytes(count: 1000), sizes: [999]), name: "x", contentType: nil, expectedSize: nil)
        #expect(file.size == 1000)
    }

    @Test("a failing body stream removes the temporary file")
    func failingBody() async throws {
        struct Boom: Error {}
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(ByteBuffer(bytes: testBytes(count: 10_000)))
            continuation.finish(throwing: Boom())
        }
        await #expect(throws: Boom.self) {
            try await fixture.store.store(body, name: "x", contentType: nil, expectedSize: nil)
        }
        #expect(fixture.temporaryFiles().isEmpty)
        #expect(fixture.storedFiles().isEmpty)
        #expect(try await fixture.metadata.files().isEmpty)
    }

    @Test("expired files are hidden, then purged with their bytes")
    func purgeExpired() async throws {
        let fixture = try FileStoreFixture(retention: .seconds(60))
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let early = try await fixture.store.store(
            chunked([1, 2, 3], sizes: [3]), name: "a", contentType: nil, expectedSize: 3)
        fixture.clock.advance(by: 30)
        let late = try await fixture.store.store(
            chunked([4, 5], sizes: [2]), name: "b", contentType: nil, expectedSize: 2)

        #expect(try await fixture.store.purgeExpired(now: fixture.clock.now) == 0)
        fixture.clock.advance(by: 30)  // early expires exactly now
        #expect(try await fixture.store.open(id: early.id) == nil)
        #expect(try await fixture.store.open(id: late.id) != nil)
        #expect(try await fixture.store.purgeExpired(now: fixture.clock.now) == 1)
        #expect(fixture.storedFiles() == [late.id])
        #expect(try await fixture.metadata.file(id: early.id) == nil)

        #expect(try await fixture.store.purgeExpired(now: fixture.clock.now.addingTimeInterval(30)) == 1)
        #expect(fixture.storedFiles().isEmpty)
        #expect(try await fixture.metadata.files().isEmpty)
    }

    @Test("start-up sweep removes leftover .part files and files without metadata")
    func startupSweep() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let kept = try await fixture.store.store(
            chunked([9], sizes: [1]), name: "k", contentType: nil, expectedSize: nil)
        let manager = FileManager.default
        let orphan = String(repeating: "0", count: 32)
        #expect(
            manager.createFile(
                atPath: fixture.root + "/tmp/\(String(repeating: "1", count: 32)).part", contents: Data([1])))
        #expect(manager.createFile(atPath: fixture.root + "/tmp/another.part", contents: Data()))
        #expect(manager.createFile(atPath: fixture.root + "/tmp/unrelated.txt", contents: Data()))
        #expect(manager.createFile(atPath: fixture.root + "/files/\(orphan)", contents: Data([2])))
        #expect(manager.createFile(atPath: fixture.root + "/files/README", contents: Data()))

        let sweep = try await fixture.store.prepare()
        #expect(sweep == FileStore.SweepResult(temporaryFilesRemoved: 2, orphanedFilesRemoved: 1))
        #expect(fixture.temporaryFiles() == ["unrelated.txt"])
        #expect(fixture.storedFiles() == ["README", kept.id].sorted())
    }

    @Test("uploads work even if prepare() was not called")
    func withoutPrepare() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        let file = try await fixture.store.store(
            chunked([1, 2], sizes: [1]), name: "x", contentType: nil, expectedSize: nil)
        #expect(fixture.storedFiles() == [file.id])
    }

    @Test("id syntax is exactly 32 lowercase hex characters")
    func idSyntax() {
        #expect(FileStore.isValidID("0123456789abcdef0123456789abcdef"))
        for bad in [
            "", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcdeg", "..", "../../../../../../../../etc/passwd",
            "0123456789abcdef0123456789abcd%2f",
            "0123456789abcdef0123456789abc\\de", "0123456789abcdef0123456789abcde\u{0}",
            "0123456789abcdef0123456789abcd.e",
            "０123456789abcdef0123456789abcdef",
        ] {
            #expect(!FileStore.isValidID(bad), "\(bad.debugDescription)")
        }
    }

    @Test("open and remove reject anything but 32 lowercase hex characters")
    func strictIDs() async throws {
        let fixture = try FileStoreFixture(metadata: LenientMetadataStore())
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let file = try await fixture.store.store(
            chunked([7], sizes: [1]), name: "x", contentType: nil, expectedSize: nil)
        #expect(try await fixture.store.open(id: file.id) != nil)
        // Bait that a decoded traversal id would reach (the lenient metadata store vouches for any id).
        #expect(FileManager.default.createFile(atPath: fixture.root + "/secret", contents: Data("secret".utf8)))
        #expect(FileManager.default.createFile(atPath: fixture.root + "/tmp/x.part", contents: Data("partial".utf8)))
        for bad in [
            "../secret", "../tmp/x.part", "./../secret", "../files/" + file.id, file.id + "/.", file.id.uppercased(),
            String(file.id.dropLast()), file.id + "0", "../" + String(file.id.dropFirst(3)),
            "..", "", String(file.id.dropLast()) + "/", String(file.id.dropLast()) + "g", file.id + "\0",
        ] {
            #expect(try await fixture.store.open(id: bad) == nil, "\(bad.debugDescription)")
            #expect(try await fixture.store.remove(id: bad) == false)
        }
        #expect(try await fixture.store.remove(id: file.id))
        #expect(try await fixture.store.remove(id: file.id) == false)
        #expect(try await fixture.store.open(id: file.id) == nil)
        #expect(fixture.storedFiles().isEmpty)
    }
}
