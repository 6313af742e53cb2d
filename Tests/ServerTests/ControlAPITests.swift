import OlafTestSupport
import ControlClient
import Core
import Foundation
import OlafCrypto
import Server
import Testing

/// The control API and olafctl against running servers: every command, live changes, authorisation.
@Suite("Control API and olafctl", .timeLimit(.minutes(2)))
struct ControlAPITests {
    static func control(_ server: TestServer) -> ControlAPIClient {
        ControlAPIClient(socketPath: server.server.configuration.resolvedControlSocketPath)
    }

    @Test("status reports addresses, fingerprint, clients, neighbours, files and message counts")
    func status() async throws {
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        _ = await alice.clientList()
        try alice.sendPublicChat("counted")
        alice.send("garbage")
        #expect(await waitUntil { server.server.statistics.snapshot.dropped[.malformed, default: 0] == 1 })
        let status = try await offPool { try Self.control(server).status() }.objectValue
        #expect(status?["public_address"]?.stringValue == server.address.canonical)
        #expect(status?["fingerprint"]?.stringValue == server.key.publicKey.fingerprint)
        #expect(status?["clients"]?.uint64Value == 1)
        #expect(status?["messages"]?.objectValue?["relayed"]?.uint64Value == 1)
        #expect(status?["messages"]?.objectValue?["dropped"]?.objectValue?["malformed"]?.uint64Value == 1)
        #expect(status?["files"]?.objectValue?["count"]?.uint64Value == 0)
        let clients = try await offPool { try Self.control(server).clients() }.arrayValue
        #expect(clients?.first?.objectValue?["fingerprint"]?.stringValue == alice.fingerprint)
        let key = try await offPool { try Self.control(server).key() }.objectValue
        #expect(key?["public_key"]?.stringValue == server.key.publicKey.canonicalPEM)
        await server.stop()
    }

    @Test("neighbours added live are dialled and persisted; removed ones are dropped; reset-counter works")
    func neighboursLive() async throws {
        let a = try await TestServer.start()
        let b = try await TestServer.start()
        let addB = try await offPool {
            try Self.control(a).addNeighbour(address: b.address.canonical, publicKeyPEM: b.key.publicKey.wrappedPEM())
        }
        #expect(addB.objectValue?["fingerprint"]?.stringValue == b.key.publicKey.fingerprint)
        _ = try await offPool {
            try Self.control(b).addNeighbour(
                address: "ws://\(a.address.canonical)/", publicKeyPEM: a.key.publicKey.canonicalPEM)
        }
        #expect(await waitUntil { await a.hub.isLinked(b.address) })
        #expect(await waitUntil { await b.hub.isLinked(a.address) })
        let listed = try await offPool { try Self.control(a).neighbours() }.arrayValue?.first?.objectValue
        #expect(listed?["address"]?.stringValue == b.address.canonical)
        #expect(listed?["state"]?.stringValue == "connected")
        #expect(try await a.server.store.neighbours().map(\.address) == [b.address.canonical])

        _ = try await offPool { try Self.control(a).resetCounter(address: b.address.canonical) }
        _ = try await offPool { try Self.control(a).removeNeighbour(address: b.address.canonical) }
        #expect(await waitUntil { await !a.hub.isLinked(b.address) })
        #expect(try await a.server.store.neighbours().isEmpty)
        await #expect(throws: ControlClientError.self) {
            try await offPool { try Self.control(a).removeNeighbour(address: b.address.canonical) }
        }
        await a.stop()
        await b.stop()
    }

    @Test("bad neighbour input is refused with a message and changes nothing")
    func badNeighbourInput() async throws {
        let server = try await TestServer.start()
        for (address, key) in [
            ("not an address", server.key.publicKey.canonicalPEM), ("127.0.0.1:9", "garbage"),
            (server.address.canonical, try TestKeys.server().publicKey.canonicalPEM),
        ] {
            do {
                _ = try await offPool { try Self.control(server).addNeighbour(address: address, publicKeyPEM: key) }
                Issue.record("accepted \(address)")
            } catch {
                guard case .refused(400, _)? = error as? ControlClientError else {
                    Issue.record("unexpected \(error)")
                    continue
                }
            }
        }
        #expect(try await server.server.store.neighbours().isEmpty)
        await server.stop()
    }

    @Test("files list and remove; metrics is Prometheus text")
    func filesAndMetrics() async throws {
        let server = try await TestServer.start()
        let stored = try await server.server.files.store(
            AsyncStream { continuation in
                continuation.yield(ByteBufferMaker.make("hello file"))
                continuation.finish()
            }, name: "a.txt", contentType: "text/plain")
        let files = try await offPool { try Self.control(server).files() }.arrayValue
        #expect(files?.first?.objectValue?["id"]?.stringValue == stored.id)
        _ = try await offPool { try Self.control(server).removeFile(id: stored.id) }
        #expect(try await offPool { try Self.control(server).files() }.arrayValue?.isEmpty == true)
        let metrics = try await offPool { try Self.control(server).metrics() }
        #expect(metrics.contains("# TYPE olaf_clients_connected gauge\nolaf_clients_connected 0\n"))
        #expect(metrics.contains("olaf_messages_dropped_total{reason=\"bad_signature\"} 0"))
        #expect(metrics.contains("olaf_upload_bytes_total 10"))
        await server.stop()
    }

    @Test("the control socket is mode 0660 and refuses peers that are not root, olafd's user or group olafd")
    func authorisation() async throws {
        let server = try await TestServer.start()
        let path = server.server.configuration.resolvedControlSocketPath
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        // Through the file permissions: nobody cannot even connect.
        let denied = try await Self.olafctlAsNobody(["status", "--socket", path])
        #expect(denied.status == 4, "\(denied.error)")
        #expect(denied.error.contains("add yourself to group olafd"))
        // With the file opened up, the server's own SO_PEERCRED check still refuses nobody.
        chmod(path, 0o666)
        chmod(server.stateDirectory, 0o755)
        let refused = try await Self.olafctlAsNobody(["status", "--socket", path])
        #expect(refused.status == 4, "\(refused.error)")
        #expect(refused.error.contains("permission denied"))
        await server.stop()
    }

    @Test("a symlink or someone else's file at the socket path stops the server from starting")
    func unsafeSocketPath() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("olafd-ctl-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let socketPath = (directory as NSString).appendingPathComponent("control.sock")
        try FileManager.default.createSymbolicLink(atPath: socketPath, withDestinationPath: "/etc/passwd")
        await #expect(throws: ControlError.self) { _ = try await TestServer.start(stateDirectory: directory) }
        try FileManager.default.removeItem(atPath: socketPath)
        _ = FileManager.default.createFile(atPath: socketPath, contents: Data())
        chown(socketPath, 65534, 65534)
        await #expect(throws: ControlError.self) { _ = try await TestServer.start(stateDirectory: directory) }
    }

    @Test("olafctl says when olafd is not running, and exits 3")
    func notRunning() async throws {
        let result = try await Self.olafctl(["status", "--socket", "/nonexistent/control.sock"])
        #expect(result.status == 3)
        #expect(result.error.contains("olafd is not running: no socket at /nonexistent/control.sock"))
    }

    @Test(
        "global options go before or after the subcommand (olafctl --socket PATH status, as git -C)",
        arguments: [
            ["--socket", "/nonexistent/control.sock", "status"],
            ["--socket=/nonexistent/control.sock", "--json", "status"],
            ["--json", "status", "--socket", "/nonexistent/control.sock"],
            ["--socket", "/nonexistent/control.sock", "neighbours", "list"],
            ["neighbours", "--socket", "/nonexistent/control.sock", "remove", "127.0.0.1:9"],
            ["--socket", "/nonexistent/control.sock", "files", "remove", "--json", "0123456789abcdef0123456789abcdef"],
        ])
    func globalOptionsInEitherPosition(arguments: [String]) async throws {
        let result = try await Self.olafctl(arguments)
        // Exit 3 and this message mean the option was parsed and the socket path used; a parse error exits 64.
        #expect(result.status == 3, "\(result.error)")
        #expect(result.error.contains("no socket at /nonexistent/control.sock"), "\(result.error)")
    }

    @Test("olafctl --socket PATH --json status and --socket PATH neighbours add talk to a running server")
    func globalOptionsFirstAgainstServer() async throws {
        let server = try await TestServer.start()
        let other = try TestKeys.server()
        let keyFile = (server.stateDirectory as NSString).appendingPathComponent("other.pem")
        try other.publicKey.wrappedPEM().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let path = server.server.configuration.resolvedControlSocketPath
        let added = try await Self.olafctl(["--socket", path, "neighbours", "add", "127.0.0.1:9", "--key", keyFile])
        #expect(added.status == 0, "\(added.error)")
        #expect(added.output.contains(other.publicKey.fingerprint))
        let json = try await Self.olafctl(["--socket", path, "--json", "status"])
        #expect(json.status == 0, "\(json.error)")
        let status = try JSONParser.parse(Array(json.output.utf8)).objectValue
        #expect(status?["fingerprint"]?.stringValue == server.key.publicKey.fingerprint)
        #expect(status?["neighbours"]?.arrayValue?.first?.objectValue?["address"]?.stringValue == "127.0.0.1:9")
        await server.stop()
    }

    @Test("olafctl prints tables and --json; neighbours add reads the key file")
    func olafctlOutput() async throws {
        let server = try await TestServer.start()
        let other = try TestKeys.server()
        let keyFile = (server.stateDirectory as NSString).appendingPathComponent("other.pem")
        try other.publicKey.wrappedPEM().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let path = server.server.configuration.resolvedControlSocketPath
        let added = try await Self.olafctl(["neighbours", "add", "127.0.0.1:9", "--key", keyFile, "--socket", path])
        #expect(added.status == 0, "\(added.error)")
        #expect(added.output.contains(other.publicKey.fingerprint))
        let table = try await Self.olafctl(["neighbours", "list", "--socket", path])
        #expect(table.output.hasPrefix("NEIGHBOUR"))
        #expect(table.output.contains("127.0.0.1:9"))
        let json = try await Self.olafctl(["status", "--json", "--socket", path])
        let neighbours = try JSONParser.parse(Array(json.output.utf8)).objectValue?["neighbours"]?.arrayValue
        #expect(neighbours?.first?.objectValue?["address"]?.stringValue == "127.0.0.1:9")
        #expect(neighbours?.first?.objectValue?["state"]?.stringValue == "disconnected")
        await server.stop()
    }

    static func olafctl(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await runProcess(binary("olafctl"), arguments)
    }

    static func olafctlAsNobody(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await runProcess(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", binary("olafctl").path] + arguments)
    }

    static func binary(_ name: String) -> URL {
        OlafdProcess.binary.deletingLastPathComponent().appendingPathComponent(name)
    }
}
