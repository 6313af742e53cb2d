import OlafTestSupport
import Core
import Foundation
import GRDB
import OlafCrypto
import Server
import Testing

extension AttackSuite {
    /// Crashes and a full disk (issue 7 "Crash safety"): `kill -9` of the real olafd mid-upload and under chat
    /// traffic, and an upload that meets a real ENOSPC. Each ends with ``assertHealthy(url:address:sourceLocation:)``.
    @Suite("Attack: kill -9 and a full disk", .timeLimit(.minutes(3)))
    struct AttackCrashTests {
        private func uploadsFolder(_ state: String, _ name: String) -> String {
            ((state as NSString).appendingPathComponent("uploads") as NSString).appendingPathComponent(name)
        }

        private func entries(_ folder: String) -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        }

        @Test("kill -9 mid-upload: after the restart no partial file is reachable and the temp file is swept")
        func killNineMidUpload() async throws {
            let state = OlafdProcess.temporaryDirectory()
            let port = try TestPorts.free()
            var server = try await OlafdProcess(port: port, stateDirectory: state)
            let temporary = uploadsFolder(state, "tmp")
            // Declare 8 MB, send 2 MB slowly, then hang: the body is mid-flight when olafd dies.
            let socket = try await onOwnThread { try RawSocket(port: port) }
            let head =
                "POST /api/upload?name=big.bin HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 8000000\r\n\r\n"
            _ = try await onOwnThread { socket.send(head) }
            for _ in 0..<32 {
                _ = try await onOwnThread { socket.send([UInt8](repeating: 0x41, count: 65536)) }
                try await Task.sleep(for: .milliseconds(5))
            }
            let partial = await waitUntil(timeout: .seconds(20)) {
                entries(temporary).contains { name in
                    let size =
                        (try? FileManager.default.attributesOfItem(
                            atPath: (temporary as NSString).appendingPathComponent(name))[.size] as? Int) ?? 0
                    return name.hasSuffix(".part") && size >= 1 << 20
                }
            }
            #expect(partial, "the upload never reached the disk: \(entries(temporary))")
            let partName = try #require(entries(temporary).first { $0.hasSuffix(".part") })
            let id = String(partName.dropLast(".part".count))
            #expect(await server.stop(signal: SIGKILL) != nil)
            #expect(entries(temporary) == [partName], "kill -9 left the temp file behind, as a crash would")

            server = try await OlafdProcess(port: port, stateDirectory: state)
            #expect(entries(temporary).isEmpty, "start-up did not sweep the partial upload")
            #expect(entries(uploadsFolder(state, "files")).isEmpty)
            let response = try await RawHTTPResponse.exchange(
                port: port, method: "GET", target: "/api/files/\(id)/big.bin")
            #expect(response.status == 404)
            let store = try SQLiteServerStore(path: (state as NSString).appendingPathComponent("olafd.sqlite"))
            #expect(try await store.files().isEmpty)
            try await assertHealthy(url: server.url, address: try ServerAddress(parsing: "127.0.0.1:\(port)"))
            _ = await server.stop()
        }

        @Test("kill -9 under chat traffic: the database passes integrity_check, counters outside the window survive")
        func killNineUnderTraffic() async throws {
            let state = OlafdProcess.temporaryDirectory()
            let port = try TestPorts.free()
            var server = try await OlafdProcess(port: port, stateDirectory: state)
            let address = try ServerAddress(parsing: "127.0.0.1:\(port)")
            let quiet = await TestClient(url: server.url, key: try TestKeys.user(), firstCounter: 1000)
            try quiet.sendHello()
            let listener = try await TestClient.connected(to: server.url)
            let senders = [
                try await TestClient.connected(to: server.url), try await TestClient.connected(to: server.url),
            ]
            _ = await listener.clientList { $0.fingerprints(at: address).count == 4 }
            // The quiet client's last counter (1001) is accepted well before the crash: it must survive it.
            try quiet.sendPublicChat("quiet one")
            #expect(await listener.waitForPublicChat("quiet one", from: quiet))
            try await Task.sleep(for: .milliseconds(400))  // > the 100 ms write-behind window

            // Heavy traffic: chats from two senders and clients joining (each hello is a counter write); bounded.
            let url = server.url
            let traffic = Task {
                var joined: [TestClient] = []
                for round in 0..<400 {
                    for sender in senders { _ = try? sender.sendPublicChat("burst \(round)") }
                    if round % 20 == 0, let client = try? await TestClient.connected(to: url) {
                        joined.append(client)
                    }
                    guard await pause(.milliseconds(5)) else { break }
                }
                return joined.count
            }
            #expect(await listener.waitForPublicChat("burst 60", from: senders[0]))
            #expect(await server.stop(signal: SIGKILL) != nil)
            _ = await traffic.value

            let database = try DatabaseQueue(path: (state as NSString).appendingPathComponent("olafd.sqlite"))
            let integrity = try await database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            #expect(integrity == ["ok"])
            try database.close()

            server = try await OlafdProcess(port: port, stateDirectory: state)
            let replay = await TestClient(url: server.url, key: quiet.key, firstCounter: 1001)
            try replay.sendHello()
            #expect(await replay.waitUntilClosed())
            #expect(replay.closeCode == 1008, "a counter accepted 400 ms before kill -9 was forgotten")
            try await assertHealthy(url: server.url, address: address)
            _ = await server.stop()
        }

        /// Mounting a tmpfs needs root with mount rights (CI runs as root); elsewhere the test is skipped, visibly.
        static let canMountTmpfs: Bool = {
            guard geteuid() == 0 else { return false }
            let probe = OlafdProcess.temporaryDirectory()
            defer { rmdir(probe) }
            guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
            umount(probe)
            return true
        }()

        @Test(
            "disk full (4 MiB tmpfs): an upload that does not fit is 507 and leaves nothing; a small one still works",
            .enabled(
                if: AttackCrashTests.canMountTmpfs,
                "needs root and mount(2) to put the file store on a 4 MiB tmpfs; CI runs as root"))
        func diskFull() async throws {
            let state = OlafdProcess.temporaryDirectory()
            let uploads = (state as NSString).appendingPathComponent("uploads")
            try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
            #expect(mount("tmpfs", uploads, "tmpfs", 0, "size=4m,mode=0700") == 0)
            defer { umount2(uploads, Int32(MNT_DETACH)) }
            // The quota is far above the disk: only the file system can say no.
            let server = try await TestServer.start(stateDirectory: state) {
                $0.maxUploadBytes = 64 << 20
                $0.maxStorageBytes = 1 << 30
            }
            let tooBig = [UInt8](repeating: 0x5A, count: 6 << 20)
            let refused = try await RawHTTPResponse.exchange(
                port: server.port, method: "POST", target: "/api/upload?name=big.bin",
                headers: ["Content-Type: application/octet-stream"], body: tooBig)
            #expect(refused.status == 507, "\(refused.head)")
            #expect(entries(uploadsFolder(state, "tmp")).isEmpty)
            #expect(entries(uploadsFolder(state, "files")).isEmpty)
            #expect(try await server.server.store.files().isEmpty)

            let small = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
            let accepted = try await RawHTTPResponse.exchange(
                port: server.port, method: "POST", target: "/api/upload?name=small.bin",
                headers: ["Content-Type: application/octet-stream"], body: small)
            #expect(accepted.status == 200)
            let url = try #require(
                try JSONParser.parse(accepted.body).objectValue?["file_url"]?.stringValue.flatMap { URL(string: $0) })
            let downloaded = try await RawHTTPResponse.exchange(port: server.port, method: "GET", target: url.path)
            #expect(downloaded.body == small)
            try await assertHealthy(server)
            await server.stop()
        }
    }
}
