import Client
import Foundation
import Testing

/// Issue 15, item 6: the data directory holds the keystore and the history, so it is kept at 0700.
@Suite("Client data directory: private, real, ours")
struct DataDirectoryTests {
    static func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("olaf-data-\(UUID().uuidString)").path
    }

    @Test("a missing directory is created 0700; an existing 0755 one is narrowed to 0700")
    func narrowedToPrivate() throws {
        let fresh = Self.temporary()
        try DataDirectory(path: fresh).prepare()
        #expect(try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int == 0o700)
        let open = Self.temporary()
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o755)
        try DataDirectory(path: open).prepare()
        #expect(try FileManager.default.attributesOfItem(atPath: open)[.posixPermissions] as? Int == 0o700)
    }

    @Test("a symbolic link or a file at the path is refused")
    func linkOrFileRefused() throws {
        let real = Self.temporary()
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        let link = Self.temporary()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let linked = #expect(throws: ClientKeystoreError.self) { try DataDirectory(path: link).prepare() }
        #expect("\(linked.map { "\($0)" } ?? "")".contains("symbolic link"))
        let file = Self.temporary()
        try #require(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(throws: ClientKeystoreError.self) { try DataDirectory(path: file).prepare() }
    }
}
