import OlafTestSupport
import Core
import Foundation
import Spawn
import Logging
import OlafCrypto
import Server
import Testing

/// The olafd executable itself: key handling, a two-server neighbourhood from neighbours files, SIGTERM, kill -9.
@Suite("olafd executable", .serialized, .timeLimit(.minutes(3)))
struct OlafdProcessTests {
    @Test("key show creates the encrypted keystore once and prints the same key every time")
    func keyShow() async throws {
        let state = OlafdProcess.temporaryDirectory()
        let first = try await OlafdProcess.run(["key", "show", "--state-dir", state])
        #expect(first.status == 0, "\(first.error)")
        let key = try RSAPublicKey(pem: first.output)
        #expect(first.output.trimmingCharacters(in: .newlines) == key.canonicalPEM)
        let fingerprint = try await OlafdProcess.run(["key", "show", "--state-dir", state, "--fingerprint"])
        #expect(fingerprint.output.trimmingCharacters(in: .newlines) == key.fingerprint)
        let keyFile = (state as NSString).appendingPathComponent("server-key.pem")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let wrongPassphrase = (state as NSString).appendingPathComponent("wrong")
        try "not the passphrase".write(toFile: wrongPassphrase, atomically: true, encoding: .utf8)
        chmod(wrongPassphrase, 0o600)
        let refused = try await OlafdProcess.run([
            "key", "show", "--state-dir", state, "--passphrase-file", wrongPassphrase,
        ])
        #expect(refused.status != 0)
        #expect(refused.error.contains("passphrase does not open"))
    }

    @Test("bad arguments give a clear error and a non-zero exit")
    func badArguments() async throws {
        let result = try await OlafdProcess.run([
            "--listen", "nonsense", "--state-dir", OlafdProcess.temporaryDirectory(),
        ])
        #expect(result.status != 0)
        #expect(result.error.contains("HOST:PORT"))
        let unknown = try await OlafdProcess.run([
            "--set", "limits.max_clientz=5", "--state-dir", OlafdProcess.temporaryDirectory(),
        ])
        #expect(unknown.error.contains("unknown key"))
    }

    @Test("two olafd processes linked by neighbours files relay a chat; SIGTERM exits 0 quickly")
    func twoProcesses() async throws {
        let states = [OlafdProcess.temporaryDirectory(), OlafdProcess.temporaryDirectory()]
        let ports = [try TestPorts.free(), try TestPorts.free()]
        var keys: [String] = []
        for state in states { keys.append(try await OlafdProcess.run(["key", "show", "--state-dir", state]).output) }
        var servers: [OlafdProcess] = []
        for index in 0..<2 {
            let other = 1 - index
            let file = (states[index] as NSString).appendingPathComponent("neighbours.json")
            let entry: JSONValue = .array([
                .object(["address": .string("127.0.0.1:\(ports[other])"), "public_key": .string(keys[other])])
            ])
            try JSONWriter.python(entry).write(toFile: file, atomically: true, encoding: .utf8)
            servers.append(
                try await OlafdProcess(
                    port: ports[index], stateDirectory: states[index],
                    extra: ["--neighbours-file", file]))
        }
        let alice = await TestClient(url: servers[0].url, key: try TestKeys.user())
        try alice.sendHello()
        let bob = await TestClient(url: servers[1].url, key: try TestKeys.user())
        try bob.sendHello()
        let serverB = try ServerAddress(parsing: "127.0.0.1:\(ports[1])")
        #expect(
            await alice.clientList(timeout: .seconds(20)) { $0.fingerprints(at: serverB).contains(bob.fingerprint) }
                != nil)
        // Our view of B's clients arrives over B's link to A; A's own link to B may still be dialling, and a
        // chat sent before it is up is dropped (counted as neighbour_link_down), so retry a few times.
        let chat = try ChatCipher.seal(
            "between processes", from: alice.key.publicKey,
            to: [ChatRecipient(publicKey: bob.key.publicKey, homeServer: serverB.canonical)])
        var delivered = false
        for _ in 0..<20 where !delivered {
            try alice.sendSigned(.chat(chat))
            delivered = await bob.waitForChat("between processes", from: alice, timeout: .milliseconds(500)) != nil
        }
        #expect(delivered)

        let started = ContinuousClock.now
        for server in servers { #expect(await server.stop(signal: SIGTERM, timeout: .seconds(5)) == 0) }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(await alice.waitUntilClosed())
        #expect(alice.closeCode == 1001)
    }

    @Test("olafd raises its soft open-file limit to the hard limit (each client is a file descriptor)")
    func raisesOpenFileLimit() async throws {
        var limit = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let hard = UInt64(limit.rlim_max)
        try #require(hard > 512, "the hard limit must be above the soft limit we start olafd with")
        let hardText = hard == UInt64.max ? "unlimited" : String(hard)
        let server = try await OlafdProcess(
            port: try TestPorts.free(), stateDirectory: OlafdProcess.temporaryDirectory(),
            launcher: ["/usr/bin/prlimit", "--nofile=512:\(hardText)"])
        let limits = try String(contentsOfFile: "/proc/\(server.process.pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields.count >= 5 && fields[3] == fields[4], "soft limit not raised: \(line)")
        #expect(fields.count >= 5 && fields[3] != "512", "soft limit still 512: \(line)")
        _ = await server.stop()
    }

    @Test("olafd started with umask 000 runs with umask 077; its control socket ends at mode 0660")
    func privateUmask() async throws {
        let state = OlafdProcess.temporaryDirectory()
        // sh execs olafd in place, so the pid stays olafd's.
        let server = try await OlafdProcess(
            port: try TestPorts.free(), stateDirectory: state, launcher: ["/bin/sh", "-c", "umask 000; exec \"$@\"", "sh"])
        let status = try String(contentsOfFile: "/proc/\(server.process.pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        #expect(line.split(separator: "\t").last == "0077", "\(line)")
        let socket = try FileManager.default.attributesOfItem(atPath: (state as NSString).appendingPathComponent("control.sock"))
        #expect((socket[.posixPermissions] as? Int) == 0o660)
        #expect(await server.stop() == 0)
    }

    @Test("after kill -9, counters older than the write-behind window are still refused")
    func killNine() async throws {
        let state = OlafdProcess.temporaryDirectory()
        let port = try TestPorts.free()
        var server = try await OlafdProcess(port: port, stateDirectory: state)
        let key = try TestKeys.user()
        let alice = await TestClient(url: server.url, key: key, firstCounter: 500)
        try alice.sendHello()
        _ = await alice.clientList()
        try await Task.sleep(for: .milliseconds(400))  // > the 100 ms write-behind window
        #expect(await server.stop(signal: SIGKILL) != nil)
        server = try await OlafdProcess(port: port, stateDirectory: state)
        let replay = await TestClient(url: server.url, key: key, firstCounter: 500)
        try replay.sendHello()
        #expect(await replay.waitUntilClosed())
        #expect(replay.closeCode == 1008)
        _ = await server.stop()
    }
}

@Suite("olafd keystore passphrase sources", .timeLimit(.minutes(1)))
struct KeystorePassphraseTests {
    @Test("the systemd credential is used when present, and an unreadable credentials directory is an error")
    func credentialDirectory() async throws {
        let state = OlafdProcess.temporaryDirectory()
        let credentials = OlafdProcess.temporaryDirectory()
        try "from-systemd\n".write(
            toFile: (credentials as NSString).appendingPathComponent("keystore-passphrase"),
            atomically: true, encoding: .utf8)
        let environment = ["CREDENTIALS_DIRECTORY": credentials]
        let key = try ServerKeystore.loadOrCreate(
            stateDirectory: state, passphraseFile: nil, environment: environment,
            logger: Logger(label: "test"))
        #expect(
            !FileManager.default.fileExists(atPath: (state as NSString).appendingPathComponent("keystore-passphrase")))
        let pem = try String(
            contentsOfFile: (state as NSString).appendingPathComponent("server-key.pem"), encoding: .utf8)
        #expect(try RSAPrivateKey(encryptedPKCS8PEM: pem, passphrase: "from-systemd").publicKey == key.publicKey)
        let error = #expect(throws: KeystoreError.self) {
            _ = try ServerKeystore.loadOrCreate(
                stateDirectory: state, passphraseFile: nil,
                environment: ["CREDENTIALS_DIRECTORY": "/nonexistent/credentials"],
                logger: Logger(label: "test"))
        }
        // The message points at the cause seen under a namespace without shared mounts (packaging/README).
        #expect(error?.description.contains("findmnt -o PROPAGATION /") == true)
        #expect(error?.description.contains("README.packaging") == true)
    }

    /// Issue 15, item 6: `--passphrase-file` gets the checks the state directory's secrets get.
    @Test("--passphrase-file must be a regular 0600 file of ours: a 0644 file and a symbolic link are refused")
    func passphraseFileChecks() throws {
        let state = OlafdProcess.temporaryDirectory()
        let outside = OlafdProcess.temporaryDirectory()
        let file = (outside as NSString).appendingPathComponent("passphrase")
        try "a passphrase\n".write(toFile: file, atomically: true, encoding: .utf8)
        func load(_ path: String) throws -> RSAPrivateKey {
            try ServerKeystore.loadOrCreate(
                stateDirectory: state, passphraseFile: path, environment: [:], logger: Logger(label: "test"))
        }
        chmod(file, 0o644)
        let readable = #expect(throws: KeystoreError.self) { _ = try load(file) }
        #expect(readable?.description.contains("chmod 600 \(file)") == true, "\(String(describing: readable))")
        let link = (outside as NSString).appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        chmod(file, 0o600)
        let linked = #expect(throws: KeystoreError.self) { _ = try load(link) }
        #expect(linked?.description.contains("symbolic link") == true, "\(String(describing: linked))")
        // The same file as it should be: accepted, and the key opens with it.
        let key = try load(file)
        #expect(try load(file).publicKey == key.publicKey)
    }
}
