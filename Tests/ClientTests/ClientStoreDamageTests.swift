import Client
import Foundation
import GRDB
import Testing

/// A damaged database is an error the user can read, never a crash: rows are decoded with `try` (the store once
/// read them with `row[...]`, which traps on a value of the wrong type).
@Suite("Client store: a damaged row is an error, not a crash")
struct ClientStoreDamageTests {
    @Test("a stored upload whose size is not a number fails the read with operationFailed")
    func damagedRowThrows() async throws {
        let path = EngineHarness.temporaryStorePath()
        let store = try ClientStore(path: path)
        _ = try await store.insertFileTransfer(name: "a.txt", size: 3, url: "http://127.0.0.1:1/f/x", at: Date())
        // Damage the row behind the store's back.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { try $0.execute(sql: "UPDATE fileTransfer SET size = 'not a number'") }
        await #expect {
            _ = try await store.fileTransfers()
        } throws: { error in
            guard case ClientStoreError.operationFailed(let operation, let reason)? = error as? ClientStoreError else {
                return false
            }
            return operation == "list uploads" && reason.contains("damaged")
        }
    }
}
