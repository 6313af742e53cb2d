import OlafTestSupport
import Foundation
import OlafCrypto
import Spawn
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

    @Test("SIGTERM stops olaf-client promptly whatever connections browsers left open (issue 15 item 3)")
    func promptStopWithOpenConnections() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build first: swift build")
        let directory = Self.temporaryDirectory()
        let port = try TestPorts.free()
        let output = directory + "/stdout"
        let descriptor = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(descriptor) }
        let process = try ChildProcess.spawn(
            Self.binary.path,
            ["--server", "127.0.0.1:9", "--ui", "127.0.0.1:\(port)", "--data-dir", directory + "/data"],
            standardOutput: .descriptor(descriptor), standardError: .null)
        defer { process.terminate(grace: .seconds(1)) }
        var token: String?
        for _ in 0..<600 where token == nil {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            token = text.components(separatedBy: "#token=").dropFirst().first?.trimmingCharacters(in: .whitespacesAndNewlines)
            if token?.isEmpty == true { token = nil }
            if token == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let bearer = try #require(token)
        // What browsers (and anyone local) leave open: a preconnected socket that never sends a request, a head
        // sent halfway, and a request whose body stops halfway.
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        for bytes in [
            "", "GET / HTTP/1.1\r\nHost: 127.0.0.1",
            "POST /api/send HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(bearer)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kind\"",
        ] {
            let socket = Loopback.tcpSocket()
            sockets.append(socket)
            try #require(Loopback.withAddress(port: port) { connect(socket, $0, $1) } == 0)
            _ = bytes.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }
        try await Task.sleep(for: .milliseconds(500))
        let stopped = ContinuousClock.now
        process.send(SIGTERM)
        // Without the fix: no exit until the browser closed its sockets (a minute), or 3 s with a body half-sent.
        while process.isRunning, ContinuousClock.now - stopped < .seconds(5) {
            guard await pause(.milliseconds(10)) else { break }
        }
        #expect(!process.isRunning, "olaf-client still running 5 s after SIGTERM")
        // The bound is 0.9 s; a loaded machine may add some.
        #expect(ContinuousClock.now - stopped < .milliseconds(2500), "stopped after \(ContinuousClock.now - stopped)")
    }
}
