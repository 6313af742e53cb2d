public import Foundation

/// `ServerStore` held in memory, with the same semantics as `SQLiteServerStore` (ordering, monotonic counters,
/// duplicate-id and overflow errors). For tests; nothing survives the process.
public actor InMemoryServerStore: ServerStore {
    private var neighbourRows: [String: StoredNeighbour] = [:]
    private var counterRows: [String: UInt64] = [:]
    private var ownCounterValue: UInt64 = 0
    private var fileRows: [String: StoredFile] = [:]
    /// Per neighbour, accepted `server_hello` signature digests, oldest first.
    private var helloSignatures: [String: [String]] = [:]

    public init() {}

    // MARK: Neighbours

    public func neighbours() -> [StoredNeighbour] {
        neighbourRows.values.sorted { Self.binaryOrder($0.address, $1.address) }
    }

    public func upsertNeighbour(
        address: String, configured: String?, url: String?, caFile: String?, publicKeyPEM: String, at date: Date
    ) {
        if neighbourRows[address] != nil {
            neighbourRows[address]?.publicKeyPEM = publicKeyPEM
            neighbourRows[address]?.configured = configured
            neighbourRows[address]?.url = url
            neighbourRows[address]?.caFile = caFile
        } else {
            neighbourRows[address] = StoredNeighbour(
                address: address, publicKeyPEM: publicKeyPEM, addedAt: date, configured: configured, url: url,
                caFile: caFile)
        }
    }

    public func recordServerHelloSignature(neighbour: String, digest: String, at date: Date) {
        var digests = helloSignatures[neighbour, default: []]
        digests.removeAll { $0 == digest }
        digests.append(digest)
        if digests.count > ServerHelloSignatures.kept { digests.removeFirst(digests.count - ServerHelloSignatures.kept) }
        helloSignatures[neighbour] = digests
    }

    public func hasSeenServerHelloSignature(neighbour: String, digest: String) -> Bool {
        helloSignatures[neighbour]?.contains(digest) ?? false
    }

    public func forgetServerHelloSignatures(neighbour: String) { helloSignatures[neighbour] = nil }

    public func removeNeighbour(address: String) -> Bool {
        neighbourRows.removeValue(forKey: address) != nil
    }

    public func markNeighbourSeen(address: String, at date: Date) {
        neighbourRows[address]?.lastSeen = date
    }

    // MARK: Counters

    public func counters() -> [String: UInt64] { counterRows }

    public func saveCounters(_ counters: [String: UInt64]) {
        for (sender, last) in counters {
            counterRows[sender] = max(counterRows[sender] ?? last, last)
        }
    }

    public func deleteCounter(sender: String) {
        counterRows[sender] = nil
    }

    public func ownCounter() -> UInt64 { ownCounterValue }

    public func saveOwnCounter(_ value: UInt64) {
        ownCounterValue = max(ownCounterValue, value)
    }

    // MARK: Files

    public func insertFile(_ file: StoredFile) throws {
        guard fileRows[file.id] == nil else { throw StoreError.duplicateFileID }
        fileRows[file.id] = file
    }

    public func file(id: String) -> StoredFile? { fileRows[id] }

    public func files() -> [StoredFile] {
        fileRows.values.sorted { Self.order(($0.uploadedAt, $0.id), ($1.uploadedAt, $1.id)) }
    }

    public func removeFile(id: String) -> Bool {
        fileRows.removeValue(forKey: id) != nil
    }

    public func expiredFiles(at date: Date) -> [StoredFile] {
        fileRows.values
            .compactMap { file in file.expiresAt.flatMap { $0 <= date ? (expiresAt: $0, file: file) : nil } }
            .sorted { Self.order(($0.expiresAt, $0.file.id), ($1.expiresAt, $1.file.id)) }
            .map(\.file)
    }

    public func totalFileBytes() throws -> Int64 {
        var total: Int64 = 0
        for file in fileRows.values {
            let (sum, overflow) = total.addingReportingOverflow(file.size)
            guard !overflow else {
                throw StoreError.operationFailed(operation: "sum file sizes", reason: "integer overflow")
            }
            total = sum
        }
        return total
    }

    /// `ORDER BY date, id` as SQLite sorts it.
    private static func order(_ lhs: (Date, String), _ rhs: (Date, String)) -> Bool {
        lhs.0 != rhs.0 ? lhs.0 < rhs.0 : binaryOrder(lhs.1, rhs.1)
    }

    /// SQLite's default BINARY collation: bytewise over UTF-8, which is not Swift's `String` order.
    private static func binaryOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
