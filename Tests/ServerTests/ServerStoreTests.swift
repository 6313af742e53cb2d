import OlafTestSupport
import Foundation
import Server
import Testing

/// The implementations the behavioural suite runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case inMemory, sqlite

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, empty store (SQLite in its own temporary directory).
    func withStore(_ body: (any ServerStore) async throws -> Void) async throws {
        switch self {
        case .inMemory:
            try await body(InMemoryServerStore())
        case .sqlite:
            try await withTemporaryDirectory { directory in
                try await body(SQLiteServerStore(path: directory + "/state.sqlite"))
            }
        }
    }
}

/// Creates a private temporary directory, runs `body` with its path, then deletes it.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("olaf-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: url) }
    try await body(url.path)
}

/// A date with sub-millisecond digits, to prove dates round-trip exactly.
let t0 = Date(timeIntervalSinceReferenceDate: 800_000_000.123_456_7)

func sampleFile(_ id: String, size: Int64 = 10, uploadedAt: Date = t0, expiresAt: Date? = nil) -> StoredFile {
    StoredFile(
        id: id, name: "\(id).txt", size: size, sha256: String(repeating: "ab", count: 32),
        contentType: "text/plain", uploadedAt: uploadedAt, expiresAt: expiresAt)
}

/// UInt64 values around the signed/unsigned boundaries, where bit-pattern storage could misorder.
let edgeCounters: [UInt64] = [
    0, 1, 2, 1_000, UInt64(Int64.max) - 1, UInt64(Int64.max), 1 << 63, (1 << 63) + 1, UInt64.max - 1, UInt64.max,
]

@Suite("ServerStore behaviour")
struct ServerStoreTests {
    // MARK: Neighbours

    @Test(arguments: StoreKind.allCases)
    func upsertNeighbourKeepsAddedAtAndUpdatesKey(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.neighbours().isEmpty)
            try await store.upsertNeighbour(address: "b.example:8080", publicKeyPEM: "KEY-B", at: t0)
            try await store.upsertNeighbour(address: "a.example:8080", publicKeyPEM: "KEY-A1", at: t0)
            try await store.upsertNeighbour(
                address: "a.example:8080", publicKeyPEM: "KEY-A2", at: t0.addingTimeInterval(60))
            #expect(
                try await store.neighbours() == [
                    StoredNeighbour(address: "a.example:8080", publicKeyPEM: "KEY-A2", addedAt: t0),
                    StoredNeighbour(address: "b.example:8080", publicKeyPEM: "KEY-B", addedAt: t0),
                ])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func removeNeighbourReportsWhetherOneWasRemoved(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.upsertNeighbour(address: "a:1", publicKeyPEM: "K", at: t0)
            #expect(try await store.removeNeighbour(address: "b:1") == false)
            #expect(try await store.removeNeighbour(address: "a:1") == true)
            #expect(try await store.removeNeighbour(address: "a:1") == false)
            #expect(try await store.neighbours().isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func markNeighbourSeenSetsLastSeenAndSurvivesKeyUpdate(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.upsertNeighbour(address: "a:1", publicKeyPEM: "K1", at: t0)
            let seen = t0.addingTimeInterval(5.000_000_1)
            try await store.markNeighbourSeen(address: "a:1", at: seen)
            try await store.markNeighbourSeen(address: "unknown:1", at: seen)  // no-op, no row created
            try await store.upsertNeighbour(address: "a:1", publicKeyPEM: "K2", at: seen)
            #expect(
                try await store.neighbours() == [
                    StoredNeighbour(address: "a:1", publicKeyPEM: "K2", addedAt: t0, lastSeen: seen)
                ])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func neighbourKeepsItsSpellingURLAndCAFile(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.upsertNeighbour(
                address: "localhost:80", configured: "LocalHost", url: "ws://127.0.0.1:3307", caFile: "/etc/ca.pem",
                publicKeyPEM: "K1", at: t0)
            #expect(
                try await store.neighbours() == [
                    StoredNeighbour(
                        address: "localhost:80", publicKeyPEM: "K1", addedAt: t0, configured: "LocalHost",
                        url: "ws://127.0.0.1:3307", caFile: "/etc/ca.pem")
                ])
            // Re-configured without a URL: the URL goes, the row stays.
            try await store.upsertNeighbour(
                address: "localhost:80", configured: "localhost", url: nil, caFile: nil, publicKeyPEM: "K2", at: t0)
            #expect(try await store.neighbours().first?.url == nil)
            #expect(try await store.neighbours().first?.configured == "localhost")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func serverHelloSignaturesAreRememberedPerNeighbourAndBounded(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.recordServerHelloSignature(neighbour: "a:1", digest: "d0", at: t0)
            #expect(try await store.hasSeenServerHelloSignature(neighbour: "a:1", digest: "d0"))
            #expect(try await !store.hasSeenServerHelloSignature(neighbour: "b:1", digest: "d0"))
            for index in 1...ServerHelloSignatures.kept {
                try await store.recordServerHelloSignature(
                    neighbour: "a:1", digest: "d\(index)", at: t0.addingTimeInterval(Double(index)))
            }
            // The oldest was dropped to keep the bound; the newest are kept.
            #expect(try await !store.hasSeenServerHelloSignature(neighbour: "a:1", digest: "d0"))
            #expect(try await store.hasSeenServerHelloSignature(neighbour: "a:1", digest: "d1"))
            #expect(
                try await store.hasSeenServerHelloSignature(neighbour: "a:1", digest: "d\(ServerHelloSignatures.kept)"))
            try await store.forgetServerHelloSignatures(neighbour: "a:1")
            #expect(try await !store.hasSeenServerHelloSignature(neighbour: "a:1", digest: "d1"))
        }
    }

    // MARK: Counters

    @Test(arguments: StoreKind.allCases)
    func countersBatchSaveAndReload(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.counters().isEmpty)
            try await store.saveCounters([:])
            let batch = Dictionary(uniqueKeysWithValues: (0..<2_000).map { ("sender-\($0)", UInt64($0) * 7) })
            try await store.saveCounters(batch)
            #expect(try await store.counters() == batch)
            try await store.saveCounters(["sender-1": 100, "new": 5])
            var expected = batch
            expected["sender-1"] = 100
            expected["new"] = 5
            #expect(try await store.counters() == expected)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func countersNeverGoDown(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.saveCounters(["a": 10, "b": 10])
            try await store.saveCounters(["a": 9, "b": 11])
            try await store.saveCounters(["a": 0, "b": 11])
            #expect(try await store.counters() == ["a": 10, "b": 11])
        }
    }

    /// Every ordered pair of edge values: saving `x` then `y` must leave `max(x, y)` as unsigned numbers.
    @Test(arguments: StoreKind.allCases)
    func countersRoundTripAndOrderAcrossTheFullUInt64Range(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var first: [String: UInt64] = [:]
            var second: [String: UInt64] = [:]
            var expected: [String: UInt64] = [:]
            for (i, x) in edgeCounters.enumerated() {
                for (j, y) in edgeCounters.enumerated() {
                    first["\(i)-\(j)"] = x
                    second["\(i)-\(j)"] = y
                    expected["\(i)-\(j)"] = max(x, y)
                }
            }
            try await store.saveCounters(first)
            #expect(try await store.counters() == first)
            try await store.saveCounters(second)
            #expect(try await store.counters() == expected)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func countersMatchAMaxModelUnderRandomBatches(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var generator = SplitMix64(seed: 42)
            var model: [String: UInt64] = [:]
            for _ in 0..<20 {
                var batch: [String: UInt64] = [:]
                for _ in 0..<50 {
                    let sender = "s\(UInt64.random(in: 0..<40, using: &generator))"
                    // Mix full-range values with edge values so sign boundaries are crossed often.
                    batch[sender] =
                        Bool.random(using: &generator)
                        ? UInt64.random(in: 0...UInt64.max, using: &generator)
                        : edgeCounters.randomElement(using: &generator)!
                }
                try await store.saveCounters(batch)
                model.merge(batch, uniquingKeysWith: max)
            }
            #expect(try await store.counters() == model)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteCounterForgetsTheSender(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.saveCounters(["a": UInt64.max, "b": 2])
            try await store.deleteCounter(sender: "a")
            try await store.deleteCounter(sender: "missing")
            #expect(try await store.counters() == ["b": 2])
            try await store.saveCounters(["a": 1])
            #expect(try await store.counters() == ["a": 1, "b": 2])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ownCounterStartsAtZeroAndNeverGoesDown(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.ownCounter() == 0)
            try await store.saveOwnCounter(5)
            try await store.saveOwnCounter(3)
            #expect(try await store.ownCounter() == 5)
            try await store.saveOwnCounter(1 << 63)
            try await store.saveOwnCounter(UInt64(Int64.max))
            #expect(try await store.ownCounter() == 1 << 63)
            try await store.saveOwnCounter(UInt64.max)
            try await store.saveOwnCounter(0)
            #expect(try await store.ownCounter() == UInt64.max)
            #expect(try await store.counters().isEmpty)
        }
    }

    // MARK: Files

    @Test(arguments: StoreKind.allCases)
    func filesInsertGetListRemove(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let later = sampleFile("b1", uploadedAt: t0.addingTimeInterval(1), expiresAt: t0.addingTimeInterval(0.5))
            let earlier = sampleFile("c2", size: 3, uploadedAt: t0)
            let sameTime = sampleFile("a3", uploadedAt: t0)
            for file in [later, earlier, sameTime] { try await store.insertFile(file) }

            #expect(try await store.file(id: "b1") == later)
            #expect(try await store.file(id: "zz") == nil)
            #expect(try await store.files() == [sameTime, earlier, later])  // by uploadedAt, then id

            #expect(try await store.removeFile(id: "c2") == true)
            #expect(try await store.removeFile(id: "c2") == false)
            #expect(try await store.files() == [sameTime, later])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func insertingADuplicateFileIDThrowsAndChangesNothing(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let original = sampleFile("0123456789abcdef0123456789abcdef")
            try await store.insertFile(original)
            var copy = original
            copy.name = "other.txt"
            await #expect(throws: StoreError.duplicateFileID) { try await store.insertFile(copy) }
            #expect(try await store.files() == [original])
            #expect(!StoreError.duplicateFileID.description.contains(original.id))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiredFilesIncludeTheBoundaryAndNeverNil(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let atBoundary = sampleFile("a", expiresAt: t0)
            let before = sampleFile("b", expiresAt: t0.addingTimeInterval(-10))
            let justAfter = sampleFile("c", expiresAt: t0.addingTimeInterval(0.000_001))
            let never = sampleFile("d", expiresAt: nil)
            for file in [atBoundary, before, justAfter, never] { try await store.insertFile(file) }

            #expect(try await store.expiredFiles(at: t0) == [before, atBoundary])  // by expiresAt
            #expect(try await store.expiredFiles(at: t0.addingTimeInterval(-11)).isEmpty)
            #expect(try await store.expiredFiles(at: .distantFuture) == [before, atBoundary, justAfter])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func totalFileBytesSumsSizes(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.totalFileBytes() == 0)
            try await store.insertFile(sampleFile("a", size: 0))
            try await store.insertFile(sampleFile("b", size: 5_000_000_000))
            try await store.insertFile(sampleFile("c", size: 7))
            #expect(try await store.totalFileBytes() == 5_000_000_007)
            _ = try await store.removeFile(id: "b")
            #expect(try await store.totalFileBytes() == 7)
        }
    }
}
