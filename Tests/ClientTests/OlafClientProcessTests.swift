import OlafTestSupport
import Foundation
import OlafCrypto
import Testing

/// The olaf-client executable: clear errors for bad input, and `key show`.
@Suite("olaf-client executable", .serialized, .timeLimit(.minutes(2)))
struct OlafClientProcessTests {
    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/olaf-client")
    }

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build first: swift build")
        return try await runProcess(binary, arguments)
    }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("olaf-cli-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a bad server address, a non-loopback UI address and a missing passphrase file are clear errors")
    func badArguments() async throws {
        let data = Self.temporaryDirectory()
        let badServer = try await Self.run(["--server", "ftp://x:1", "--data-dir", data])
        #expect(badServer.status != 0)
        #expect(badServer.error.contains("bad --server address"))
        let remote = try await Self.run(["--server", "127.0.0.1:1", "--ui", "0.0.0.0:8765", "--data-dir", data])
        #expect(remote.status != 0)
        #expect(remote.error.contains("not a loopback address"))
        let noFile = try await Self.run([
            "--server", "127.0.0.1:1", "--ui", "127.0.0.1:0", "--data-dir", data, "--passphrase-file", data + "/none",
        ])
        #expect(noFile.status != 0)
        #expect(noFile.error.contains("cannot read the passphrase"))
        let badFileAPI = try await Self.run([
            "--server", "127.0.0.1:1", "--ui", "127.0.0.1:0", "--data-dir", data, "--file-api", "http://me:pw@h:9",
        ])
        #expect(badFileAPI.status != 0)
        #expect(badFileAPI.error.contains("bad --file-api: the file API URL must not contain a user name"))
    }

    @Test("key show: no key yet is explained; with a passphrase file the key is created once and shown")
    func keyShow() async throws {
        let data = Self.temporaryDirectory()
        let none = try await Self.run(["key", "show", "--data-dir", data])
        #expect(none.status != 0)
        #expect(none.error.contains("no key"))
        let passphrase = data + "/pass"
        try "a long enough passphrase\n".write(toFile: passphrase, atomically: true, encoding: .utf8)
        chmod(passphrase, 0o644)
        let exposed = try await Self.run(["key", "show", "--data-dir", data, "--passphrase-file", passphrase])
        #expect(exposed.status != 0)
        #expect(exposed.error.contains("chmod 600 \(passphrase)"), "\(exposed.error)")
        let link = data + "/pass-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: passphrase)
        chmod(passphrase, 0o600)
        let linked = try await Self.run(["key", "show", "--data-dir", data, "--passphrase-file", link])
        #expect(linked.status != 0)
        #expect(linked.error.contains("symbolic link"), "\(linked.error)")
        let created = try await Self.run(["key", "show", "--data-dir", data, "--passphrase-file", passphrase])
        #expect(created.status == 0, "\(created.error)")
        let pem = try #require(created.output.components(separatedBy: "\nfingerprint: ").first)
        let key = try RSAPublicKey(pem: pem)
        #expect(created.output.contains("fingerprint: \(key.fingerprint)"))
        // Later, without the passphrase, the public half is shown as it is.
        let again = try await Self.run(["key", "show", "--data-dir", data, "--fingerprint"])
        #expect(again.output.trimmingCharacters(in: .newlines) == key.fingerprint)
        let wrong = data + "/wrong"
        try "not the passphrase".write(toFile: wrong, atomically: true, encoding: .utf8)
        chmod(wrong, 0o600)
        let refused = try await Self.run(["key", "show", "--data-dir", data, "--passphrase-file", wrong])
        #expect(refused.status != 0)
        #expect(refused.error.contains("passphrase does not open"))
    }
}
