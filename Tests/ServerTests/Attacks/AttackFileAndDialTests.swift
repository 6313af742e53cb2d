import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

extension AttackSuite {
    /// Where a peer could make the server connect, and what it could make the file API write or say (issue 7 attack
    /// suite). Already proven elsewhere, with the health check added: a chat to an unconfigured `host:port`
    /// (NeighbourhoodTests.noDialToUnknownDestination), traversal in download URLs (FileAPIIntegrationTests.refusals),
    /// name sanitising (FileNameTests), fake and replayed `server_hello` and `client_update` from strangers
    /// (NeighbourhoodTests.fakeServerHello, .unauthenticatedClientUpdate) and from clients
    /// (ClientRelayTests.serverMessagesFromClient).
    @Suite("Attack: SSRF and hostile file names", .timeLimit(.minutes(3)))
    struct AttackFileAndDialTests {
        @Test(
            "destination_servers naming metadata IPs, other local ports, URLs with schemes and paths: none is dialled")
        func ssrfViaDestinations() async throws {
            let trap = try TCPTrap()
            let server = try await TestServer.start()
            let alice = try await TestClient.connected(to: server)
            let bob = try await TestClient.connected(to: server)
            _ = await alice.clientList { $0.fingerprints(at: server.address).count == 2 }
            let port = trap.port
            let hostile = [
                "169.254.169.254", "169.254.169.254:80", "http://169.254.169.254/latest/meta-data/",
                "localhost:\(port)", "127.0.0.1:\(port)", "http://127.0.0.1:\(port)/admin",
                "ws://127.0.0.1:\(port)/x?y=1",
                "wss://localhost:\(port)/", "127.0.0.1:\(port)/../../", "[::ffff:127.0.0.1]:\(port)", "127.1:\(port)",
                "2130706433:\(port)", "user@127.0.0.1:\(port)", "file:///etc/passwd", "gopher://127.0.0.1:\(port)/_x",
                "unknown.invalid", "",
            ]
            // One chat per address (a chat with one unparsable address is dropped whole before routing), each also
            // addressed to bob here, as a real chat would be. Core refuses to build such chats, so the data object is
            // edited and signed by hand.
            let sealed = try ChatCipher.seal(
                "ssrf", from: alice.key.publicKey,
                to: [ChatRecipient(publicKey: bob.key.publicKey, homeServer: server.address.canonical)])
            for address in hostile {
                var data = sealed.wireObject
                let key = try #require(data["symm_keys"]?.arrayValue?.first)
                data["destination_servers"] = .array([.string(server.address.canonical), .string(address)])
                data["symm_keys"] = .array([key, key])
                try alice.sendSigned(dataString: JSONWriter.python(.object(data)))
            }
            // A server_hello claiming the trap's address: refused, and the claimed address is never dialled back.
            let impostor = await TestClient(url: server.url, key: try TestKeys.server())
            try impostor.sendSigned(
                .serverHello(ServerHelloData(sender: try ServerAddress(parsing: "127.0.0.1:\(port)"))))
            #expect(await impostor.waitUntilClosed())
            try alice.sendPublicChat("marker")
            #expect(await bob.waitForPublicChat("marker", from: alice))
            try await Task.sleep(for: .milliseconds(500))
            #expect(trap.acceptedConnections == 0)
            #expect(await !server.hub.isLinked(try ServerAddress(parsing: "127.0.0.1:\(port)")))
            try await assertHealthy(server)
            await server.stop()
        }

        /// Uploads `bytes` under `name`, by multipart `filename` or by the raw body's `?name=`.
        private func upload(_ server: TestServer, name: [UInt8], multipart: Bool, bytes: [UInt8]) async throws
            -> RawHTTPResponse
        {
            if multipart {
                let boundary = "attackBoundary"
                let body =
                    Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"".utf8) + name
                    + Array("\"\r\nContent-Type: text/html\r\n\r\n".utf8) + bytes
                    + Array("\r\n--\(boundary)--\r\n".utf8)
                return try await RawHTTPResponse.exchange(
                    port: server.port, method: "POST", target: "/api/upload",
                    headers: ["Content-Type: multipart/form-data; boundary=\(boundary)"], body: body)
            }
            let hex = Array("0123456789ABCDEF")
            let query = name.map { "%\(hex[Int($0 >> 4)])\(hex[Int($0 & 0x0F)])" }.joined()
            return try await RawHTTPResponse.exchange(
                port: server.port, method: "POST", target: "/api/upload?name=\(query)",
                headers: ["Content-Type: text/html"], body: bytes)
        }

        @Test("hostile file names are stored safely and can never inject headers or reach another path")
        func hostileFileNames() async throws {
            let server = try await TestServer.start()
            let rtl = "\u{202E}gpj.exe"
            let names: [(String, [UInt8], Bool)] = [
                ("traversal", Array("../../etc/passwd".utf8), true),
                ("encoded traversal", Array("%2e%2e%2f%2e%2e%2fetc%2fpasswd".utf8), true),
                ("backslashes", Array(#"..\..\olafd.sqlite"#.utf8), true),
                ("NUL byte", Array("safe.txt".utf8) + [0] + Array("../../evil".utf8), false),
                ("CRLF header injection", Array("a.txt\r\nSet-Cookie: stolen=1\r\nX-Injected: yes".utf8), false),
                ("quotes", Array(#"a"; filename*=UTF-8''evil.html; x=""#.utf8), false),
                ("RTL override", Array(rtl.utf8), true),
                ("very long", Array(String(repeating: "é", count: 1500).utf8), true),
                ("invalid UTF-8", [0xC0, 0xAF, 0xFF, 0x2E, 0x2E, 0x2F], false),
                ("empty", [], false),
            ]
            for (label, name, multipart) in names {
                let bytes = Array("<script>alert('\(label)')</script>".utf8)
                let stored = try await upload(server, name: name, multipart: multipart, bytes: bytes)
                #expect(stored.status == 200, "\(label): \(stored.head)")
                guard stored.status == 200 else { continue }
                let url = try #require(
                    try JSONParser.parse(stored.body).objectValue?["file_url"]?.stringValue, "\(label)")
                let path = try #require(URL(string: url)?.path, "\(label): \(url)")
                #expect(path.hasPrefix("/api/files/"), "\(label): \(url)")
                let got = try await RawHTTPResponse.exchange(
                    port: server.port, method: "GET", target: try #require(URL(string: url)).path(percentEncoded: true))
                #expect(got.status == 200, "\(label)")
                #expect(got.body == bytes, "\(label)")
                #expect(got.header("Set-Cookie") == nil && got.header("X-Injected") == nil, "\(label): \(got.head)")
                #expect(got.header("Content-Type") == "application/octet-stream", "\(label)")
                let disposition = try #require(got.header("Content-Disposition"), "\(label)")
                #expect(disposition.hasPrefix("attachment; filename=\""), "\(label): \(disposition)")
                // Exactly two quotes (around the ASCII fallback), only printable ASCII, no path separators.
                #expect(disposition.filter { $0 == "\"" }.count == 2, "\(label): \(disposition)")
                #expect(disposition.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, "\(label)")
                let fallback = disposition.split(separator: "\"")[1]
                #expect(!fallback.contains("/") && !fallback.contains("\\") && !fallback.hasPrefix("."), "\(label)")
                #expect(
                    got.head.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("content-disposition") }
                        .count == 1)
            }
            // Nothing was written outside the store's files/ folder.
            let stored = try FileManager.default.subpathsOfDirectory(
                atPath: (server.stateDirectory as NSString).appendingPathComponent("uploads"))
            #expect(
                stored.allSatisfy { $0 == "tmp" || $0 == "files" || ($0.hasPrefix("files/") && $0.count == 38) },
                "\(stored)")
            #expect(
                !FileManager.default.fileExists(
                    atPath: (server.stateDirectory as NSString).appendingPathComponent("evil")))
            try await assertHealthy(server)
            await server.stop()
        }
    }
}
