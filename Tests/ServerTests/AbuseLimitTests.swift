import OlafTestSupport
import ControlClient
import Core
import Foundation
import NIOCore
import OlafCrypto
import Server
import Testing

/// Issue 7, abuse limits: every limit refuses the peer over it with a clear close or status, is counted in
/// `olaf_limit_refusals_total`, and leaves everybody else chatting.
@Suite("Abuse limits: per address, per client, per neighbour, uploads, JSON caps", .serialized, .timeLimit(.minutes(5)))
struct AbuseLimitTests {
    /// Two clients that can chat, to show a limit hit elsewhere does not disturb them.
    static func chattingPair(on server: TestServer) async throws -> (TestClient, TestClient) {
        let alice = try await TestClient.connected(to: server)
        let bob = try await TestClient.connected(to: server)
        _ = await alice.clientList {
            $0.fingerprints(at: server.address).isSuperset(of: [alice.fingerprint, bob.fingerprint])
        }
        return (alice, bob)
    }

    static func stillChatting(_ pair: (TestClient, TestClient), _ text: String) async throws -> Bool {
        try pair.0.sendPublicChat(text)
        return await pair.1.waitForPublicChat(text, from: pair.0)
    }

    static func refusals(_ server: TestServer, _ kind: LimitKind) -> Int { server.server.abuse.refusals[kind] }

    @Test("connections per IP: the one over the limit is closed 1008 with a reason, HTTP gets 429, others chat")
    func connectionsPerAddress() async throws {
        let server = try await TestServer.start { $0.limits.abuse.maxConnectionsPerAddress = 3 }
        let pair = try await Self.chattingPair(on: server)
        let third = try await TestClient.connected(to: server)
        _ = await third.clientList()
        let fourth = try await TestClient.connected(to: server)
        #expect(await fourth.waitUntilClosed())
        #expect(fourth.closeCode == 1008)
        #expect(fourth.closeReason == "too many connections from your address")
        let port = server.port
        let http = try await offPool {
            try RawHTTP.exchange(
                port: port, Array("GET /api/files/x/y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        }
        #expect(http.status == 429)
        #expect(http.text.contains("too many connections from your address"))
        // Another address is not affected.
        let other = try await offPool {
            try RawHTTP.exchange(
                port: port, from: "127.0.0.2", Array("GET /api/files/x/y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        }
        #expect(other.status == 404)
        #expect(Self.refusals(server, .connectionsPerAddress) >= 2)
        #expect(try await Self.stillChatting(pair, "after the refusal"))
        let metrics = try await MetricsText.of(server)
        #expect(metrics.contains("olaf_limit_refusals_total{limit=\"connections_per_ip\"}"))
        #expect(metrics.contains("# TYPE olaf_connections_open gauge"))
        #expect(await waitUntil { server.server.abuse.openConnections == 3 })  // the refused ones are released
        await server.stop()
    }

    @Test("connections per IP: the count is released on every close, so cycles never lock an address out")
    func connectionCountDoesNotLeak() async throws {
        let server = try await TestServer.start { $0.limits.abuse.maxConnectionsPerAddress = 3 }
        for round in 0..<12 {
            let client =
                round % 3 == 2
                ? await TestClient(url: server.url, key: try TestKeys.user())
                : try await TestClient.connected(to: server)
            if round % 3 == 0 {
                _ = await client.clientList()
                client.close()  // polite close
            } else if round % 3 == 1 {
                client.send("not json")  // dropped, then closed by us going away
                client.close()
            } else {
                client.send("{}")  // a first message that is not a hello: the server closes it
            }
            #expect(await client.waitUntilClosed())
        }
        let port = server.port
        for _ in 0..<12 {
            _ = try await offPool {
                try RawHTTP.exchange(
                    port: port, Array("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            }
        }
        #expect(await waitUntil { server.server.abuse.openConnections == 0 })
        let clients = [
            try await TestClient.connected(to: server), try await TestClient.connected(to: server),
            try await TestClient.connected(to: server),
        ]
        #expect(
            await clients[0].clientList { $0.fingerprints(at: server.address).count == 3 } != nil)
        #expect(clients.allSatisfy { !$0.hasEnded })
        await server.stop()
    }

    @Test("hellos per IP are limited before the signature check; connected clients keep chatting")
    func helloRate() async throws {
        let server = try await TestServer.start {
            $0.limits.abuse.hellosPerMinutePerAddress = 1
            $0.limits.abuse.helloBurstPerAddress = 3
        }
        let pair = try await Self.chattingPair(on: server)  // two hellos
        let third = try await TestClient.connected(to: server)  // the last one in the burst
        _ = await third.clientList()
        let refused = try await TestClient.connected(to: server)
        #expect(await refused.waitUntilClosed())
        #expect(refused.closeCode == 1008)
        #expect(refused.closeReason?.contains("too many hellos") == true)
        // A server_hello that would not even verify is refused for its rate, not its signature: no RSA work.
        let fake = await TestClient(url: server.url, key: try TestKeys.server())
        try fake.sendSigned(.serverHello(ServerHelloData(sender: try ServerAddress(parsing: "127.0.0.1:1"))))
        #expect(await fake.waitUntilClosed())
        #expect(fake.closeReason?.contains("too many hellos") == true)
        #expect(Self.refusals(server, .hellosPerAddress) == 2)
        #expect(server.server.statistics.snapshot.dropped[.badSignature, default: 0] == 0)
        #expect(try await Self.stillChatting(pair, "hello flood elsewhere"))
        await server.stop()
    }

    @Test("bytes per client: over the byte rate the client is closed 1008; others keep chatting")
    func byteRate() async throws {
        let server = try await TestServer.start {
            $0.limits.protocolLimits.maxFrameBytes = 64 << 10
            $0.limits.abuse.bytesPerSecondPerClient = 1000
            $0.limits.abuse.byteBurstPerClient = 1  // raised to one largest frame (64 KiB)
        }
        let pair = try await Self.chattingPair(on: server)
        let flooder = try await TestClient.connected(to: server)
        let filler = String(repeating: "b", count: 30_000)
        for index in 0..<4 { try flooder.sendPublicChat("\(index) \(filler)") }
        #expect(await flooder.waitUntilClosed())
        #expect(flooder.closeCode == 1008)
        #expect(flooder.closeReason == "byte rate limit exceeded")
        #expect(Self.refusals(server, .byteRate) == 1)
        #expect(try await Self.stillChatting(pair, "after the byte flood"))
        await server.stop()
    }

    @Test("message rate per client is counted in the refusal metric")
    func messageRateIsCounted() async throws {
        let server = try await TestServer.start {
            $0.limits.messagesPerSecondPerClient = 1
            $0.limits.messageBurstPerClient = 5
        }
        let pair = try await Self.chattingPair(on: server)
        let flooder = try await TestClient.connected(to: server)
        for index in 0..<20 { try flooder.sendPublicChat("flood \(index)") }
        #expect(await flooder.waitUntilClosed())
        #expect(
            flooder.closeReason == "message rate limit exceeded",
            "code \(String(describing: flooder.closeCode)) failure \(String(describing: flooder.failureText))")
        #expect(Self.refusals(server, .messageRate) == 1)
        #expect(try await Self.stillChatting(pair, "calm"))
        await server.stop()
    }

    @Test("a flooding neighbour is rate-limited, then its link closed; local delivery is unaffected")
    func neighbourFlood() async throws {
        let server = try await TestServer.start {
            $0.limits.abuse.neighbourFramesPerSecond = 20
            $0.limits.abuse.neighbourFrameBurst = 20
            $0.limits.abuse.neighbourFloodCloseAfter = .seconds(2)
        }
        let pair = try await Self.chattingPair(on: server)
        let neighbour = try await FakeNeighbour.linked(to: server)
        let request = OlafMessage.clientUpdateRequest(ClientUpdateRequest()).text
        for _ in 0..<500 { neighbour.link.send(request) }
        #expect(await waitUntil { server.server.statistics.snapshot.dropped[.neighbourRateLimited, default: 0] > 0 })
        #expect(try await Self.stillChatting(pair, "while the neighbour floods"))
        // Keep flooding (bounded: at most 15 s) until the link is closed.
        let deadline = ContinuousClock.now + .seconds(15)
        while !neighbour.link.hasEnded, ContinuousClock.now < deadline {
            for _ in 0..<50 { neighbour.link.send(request) }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(neighbour.link.hasEnded)
        #expect(neighbour.link.closeCode == 1008)
        #expect(neighbour.link.closeReason?.contains("neighbour frame rate limit") == true)
        #expect(Self.refusals(server, .neighbourFlood) >= 1)
        #expect(Self.refusals(server, .neighbourRate) > 400)
        #expect(try await Self.stillChatting(pair, "after the neighbour was cut off"))
        let metrics = try await MetricsText.of(server)
        #expect(metrics.contains("olaf_messages_dropped_total{reason=\"neighbour_rate_limited\"}"))
        await server.stop()
    }

    @Test("uploads per IP: over the rate 429 with a JSON error; another address still uploads")
    func uploadRate() async throws {
        let server = try await TestServer.start {
            $0.limits.abuse.uploadsPerMinutePerAddress = 1
            $0.limits.abuse.uploadBurstPerAddress = 2
        }
        let pair = try await Self.chattingPair(on: server)
        let port = server.port
        var statuses: [Int] = []
        var last = ""
        for index in 0..<3 {
            let result = try await offPool {
                try RawHTTP.upload(port: port, name: "f\(index).txt", body: "data \(index)")
            }
            statuses.append(result.status)
            last = result.text
        }
        #expect(statuses == [200, 200, 429])
        #expect(last.contains("{\"error\":\"too many uploads from your address; try again in a minute\"}"))
        #expect(last.lowercased().contains("retry-after: 60"))
        let other = try await offPool { try RawHTTP.upload(port: port, from: "127.0.0.3", name: "g.txt", body: "ok") }
        #expect(other.status == 200)
        #expect(Self.refusals(server, .uploadsPerAddress) == 1)
        #expect(try await Self.stillChatting(pair, "uploads refused elsewhere"))
        await server.stop()
    }

    @Test("deep JSON (10,000 levels) and huge arrays are refused without harm; the connection stays up")
    func jsonCaps() async throws {
        let server = try await TestServer.start()
        let pair = try await Self.chattingPair(on: server)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        pair.0.send(deep)
        pair.0.send("{\"type\":\"client_list_request\",\"x\":" + deep + "}")
        let huge =
            "{\"type\":\"signed_data\",\"data\":[" + Array(repeating: "0", count: 200_000).joined(separator: ",")
            + "]}"
        pair.0.send(huge)
        let longString = "{\"type\":\"x\",\"s\":\"" + String(repeating: "a", count: 900_000) + "\"}"
        pair.0.send(longString)
        #expect(await waitUntil { server.server.statistics.snapshot.dropped[.malformed, default: 0] == 4 })
        #expect(Self.refusals(server, .jsonDepth) == 2)
        #expect(Self.refusals(server, .jsonSize) == 1)
        #expect(!pair.0.hasEnded)
        #expect(try await Self.stillChatting(pair, "after deep json"))
        await server.stop()
    }

    @Test("max_json_depth and max_json_string_bytes are configurable")
    func jsonCapsConfigurable() async throws {
        let server = try await TestServer.start {
            $0.limits.protocolLimits.maxJSONDepth = 4
            $0.limits.protocolLimits.maxJSONStringBytes = 4096
        }
        let pair = try await Self.chattingPair(on: server)
        pair.0.send("{\"type\":\"client_list_request\",\"a\":{\"b\":{\"c\":{\"d\":{}}}}}")
        pair.0.send("{\"type\":\"client_list_request\",\"s\":\"" + String(repeating: "a", count: 5000) + "\"}")
        #expect(await waitUntil { Self.refusals(server, .jsonDepth) == 1 && Self.refusals(server, .jsonSize) == 1 })
        #expect(try await Self.stillChatting(pair, "short and shallow"))
        await server.stop()
    }

    @Test("a reload changes the limits live: a lower connection limit applies to the next connection")
    func reloadAppliesLimits() async throws {
        let server = try await TestServer.start()
        let alice = try await TestClient.connected(to: server)
        _ = await alice.clientList()
        var configuration = server.server.configuration
        configuration.limits.abuse.maxConnectionsPerAddress = 1
        _ = server.server.applyReload(configuration)
        let second = try await TestClient.connected(to: server)
        #expect(await second.waitUntilClosed())
        #expect(second.closeReason == "too many connections from your address")
        #expect(!alice.hasEnded)
        await server.stop()
    }

    @Test("the per-IP rate tables stay bounded under a many-address flood")
    func rateTableIsBounded() async throws {
        let server = try await TestServer.start {
            $0.limits.abuse.maxTrackedAddresses = 4
            $0.limits.abuse.uploadsPerMinutePerAddress = 1
            $0.limits.abuse.uploadBurstPerAddress = 1
        }
        let port = server.port
        var statuses: [Int] = []
        for index in 2..<10 {
            let result = try await offPool {
                try RawHTTP.upload(port: port, from: "127.0.1.\(index)", name: "f.txt", body: "x")
            }
            statuses.append(result.status)
        }
        // Four addresses fit in the table; the others share one overflow allowance (one upload).
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
        #expect(server.server.abuse.trackedRateAddresses <= 4)
        await server.stop()
    }
}

/// The limits through the real binary: a `--set` flag, the refusal, and `olafctl status`.
@Suite("Abuse limits: olafd and olafctl", .timeLimit(.minutes(2)))
struct AbuseLimitProcessTests {
    @Test("olafd --set limits.max_connections_per_ip=1 refuses the second connection; olafctl status counts it")
    func setFlagAndStatus() async throws {
        let state = OlafdProcess.temporaryDirectory()
        let server = try await OlafdProcess(
            port: try TestPorts.free(), stateDirectory: state, extra: ["--set", "limits.max_connections_per_ip=1"])
        let socket = (state as NSString).appendingPathComponent("control.sock")
        // OlafdProcess probed the port with a connection of its own: wait until olafd has released it.
        #expect(
            await waitUntil(timeout: .seconds(20)) {
                let metrics = try? await offPool { try ControlAPIClient(socketPath: socket).metrics() }
                return metrics?.contains("olaf_connections_open 0\n") == true
            })
        let alice = await TestClient(url: server.url, key: try TestKeys.user())
        try alice.sendHello()
        let address = try ServerAddress(parsing: "127.0.0.1:\(server.port)")
        #expect(await alice.clientList { $0.fingerprints(at: address).contains(alice.fingerprint) } != nil)
        let bob = try await TestClient.connected(to: server.url)
        #expect(await bob.waitUntilClosed())
        #expect(bob.closeCode == 1008)
        #expect(bob.closeReason == "too many connections from your address")
        let olafctl = OlafdProcess.binary.deletingLastPathComponent().appendingPathComponent("olafctl")
        let json = try await runProcess(olafctl, ["status", "--json", "--socket", socket])
        let refused = try JSONParser.parse(Array(json.output.utf8)).objectValue?["limits"]?.objectValue?["refused"]
        #expect(refused?.objectValue?["connections_per_ip"]?.uint64Value == 1)
        let human = try await runProcess(olafctl, ["status", "--socket", socket])
        #expect(human.output.contains("limits refused:  connections_per_ip 1"))
        #expect(!alice.hasEnded)
        _ = await server.stop()
    }
}

/// The configuration keys of the abuse limits.
@Suite("Abuse limits: configuration keys")
struct AbuseLimitConfigurationTests {
    @Test("every abuse-limit key is read from the file; bad values are refused with the key's name")
    func keys() throws {
        var configuration = ServerConfiguration()
        try ConfigFile.apply(
            TOMLSubset.parse(
                """
                [limits]
                max_connections_per_ip = 0
                hellos_per_minute_per_ip = 30
                hello_burst_per_ip = 5
                bytes_per_second = 2048
                byte_burst = 4096
                neighbour_frames_per_second = 100
                neighbour_frame_burst = 200
                neighbour_flood_close_seconds = 2.5
                uploads_per_minute_per_ip = 6
                upload_burst_per_ip = 2
                max_tracked_ips = 1000
                max_json_depth = 8
                max_json_string_bytes = 65536
                max_clients_per_server = 50
                """), to: &configuration)
        let abuse = configuration.limits.abuse
        #expect(
            abuse
                == AbuseLimits(
                    maxConnectionsPerAddress: 0, hellosPerMinutePerAddress: 30, helloBurstPerAddress: 5,
                    bytesPerSecondPerClient: 2048, byteBurstPerClient: 4096, neighbourFramesPerSecond: 100,
                    neighbourFrameBurst: 200, neighbourFloodCloseAfter: .milliseconds(2500),
                    uploadsPerMinutePerAddress: 6, uploadBurstPerAddress: 2, maxTrackedAddresses: 1000))
        #expect(configuration.limits.protocolLimits.maxJSONDepth == 8)
        #expect(configuration.limits.protocolLimits.json.maxStringBytes == 65536)
        #expect(configuration.limits.protocolLimits.maxClientsPerServer == 50)
        #expect(
            ConfigFile.environmentVariable(for: "limits.max_connections_per_ip")
                == "OLAFD_LIMITS_MAX_CONNECTIONS_PER_IP")
        for bad in [
            "max_json_depth = 2", "max_json_depth = 100000", "max_connections_per_ip = -1", "bytes_per_second = 0",
            "hellos_per_minute_per_ip = \"many\"",
        ] {
            var scratch = ServerConfiguration()
            let key = "limits." + bad.prefix { $0 != " " }
            let values = try TOMLSubset.parse("[limits]\n" + bad)
            do {
                try ConfigFile.apply(values, to: &scratch)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.reason.contains(key))
            }
        }
    }
}

/// Which addresses count as one for the per-IP limits.
@Suite("Abuse limits: address keys")
struct PeerAddressKeyTests {
    @Test("IPv4 by address, IPv6 by /64 prefix, IPv4-mapped IPv6 as IPv4")
    func keys() throws {
        func key(_ ip: String) throws -> PeerAddressKey { PeerAddressKey(try SocketAddress(ipAddress: ip, port: 1)) }
        #expect(try key("127.0.0.1") == .ipv4(0x7F00_0001))
        #expect(try key("127.0.0.1") != key("127.0.0.2"))
        #expect(try key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        #expect(try key("2001:db8:1:2::1") != key("2001:db8:1:3::1"))
        #expect(try key("::ffff:10.0.0.7") == key("10.0.0.7"))
        #expect(try key("2001:db8:1:2::1").description == "2001:db8:1:2::/64")
        #expect(try key("10.0.0.7").description == "10.0.0.7")
        #expect(PeerAddressKey(nil) == .other)
    }
}

/// The Prometheus text of a test server (through the control API's renderer).
enum MetricsText {
    static func of(_ server: TestServer) async throws -> String {
        let path = server.server.configuration.resolvedControlSocketPath
        return try await offPool { try ControlAPIClient(socketPath: path).metrics() }
    }
}
