import OlafTestSupport
import Foundation
import Server
import Testing

/// Issue 14: the opt-in Prometheus listener (`metrics_listen`), scraped over a real TCP socket.
@Suite("Metrics listener (metrics_listen)", .timeLimit(.minutes(2)))
struct MetricsListenerTests {
    static func get(_ port: Int, _ target: String) async throws -> (status: Int, text: String) {
        try await offPool {
            try RawHTTP.exchange(
                port: port, Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        }
    }

    /// The `# HELP` lines of a Prometheus text (or of an HTTP response's body): which metrics it exposes,
    /// whatever their values at the moment.
    static func helpLines(_ text: String) -> [Substring] {
        let body = text.range(of: "\r\n\r\n").map { text[$0.upperBound...] } ?? text[...]
        return body.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }
    }

    @Test("GET /metrics serves the control socket's Prometheus text; other paths are 404")
    func servesMetrics() async throws {
        let metricsPort = try TestPorts.free()
        let server = try await TestServer.start {
            $0.metricsListen = MetricsListen(host: "127.0.0.1", port: metricsPort)
        }
        // TestServer.start returns once the server is ready, so the metrics listener is already bound.
        let client = try await TestClient.connected(to: server)
        _ = await client.clientList()
        let response = try await Self.get(metricsPort, "/metrics")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text.lowercased().contains("content-type: text/plain; version=0.0.4; charset=utf-8"))
        #expect(response.text.contains("# TYPE olaf_clients_connected gauge\nolaf_clients_connected 1\n"))
        let viaSocket = try await MetricsText.of(server)
        #expect(!Self.helpLines(viaSocket).isEmpty)
        #expect(Self.helpLines(response.text) == Self.helpLines(viaSocket))
        for target in ["/", "/metrics/x", "/api/upload", "/v1/status", "/.env"] {
            let other = try await Self.get(metricsPort, target)
            #expect(other.status == 404, "\(target): \(other.text)")
        }
        await server.stop()
    }

    @Test("off by default: the shipped configuration and no configuration open no metrics listener")
    func offByDefault() async throws {
        #expect(ServerConfiguration().metricsListen == nil)
        let server = try await TestServer.start()
        #expect(server.server.configuration.metricsListen == nil)
        await server.stop()
    }

    @Test("a metrics port that cannot be bound keeps the server from becoming ready")
    func busyPortIsNotReady() async throws {
        let busy = try TestPorts.free()
        let holder = Loopback.tcpSocket()
        defer { close(holder) }
        #expect(Loopback.withAddress(port: busy) { bind(holder, $0, $1) } == 0)
        #expect(listen(holder, 1) == 0)
        await #expect(throws: (any Error).self) {
            let server = try await TestServer.start { $0.metricsListen = MetricsListen(host: "127.0.0.1", port: busy) }
            await server.stop()
        }
    }

    @Test("metrics_listen parses HOST:PORT, an empty value turns it off, a bad one is refused")
    func configurationKey() throws {
        var configuration = ServerConfiguration()
        try ConfigFile.apply(["metrics_listen": .string("127.0.0.1:9464")], to: &configuration)
        #expect(configuration.metricsListen == MetricsListen(host: "127.0.0.1", port: 9464))
        try ConfigFile.apply(["metrics_listen": .string("[::1]:9464")], to: &configuration)
        #expect(configuration.metricsListen == MetricsListen(host: "::1", port: 9464))
        try ConfigFile.apply(["metrics_listen": .string("")], to: &configuration)
        #expect(configuration.metricsListen == nil)
        #expect(throws: ConfigFile.LoadError.self) {
            try ConfigFile.apply(["metrics_listen": .string("9464")], to: &configuration)
        }
        #expect(ConfigFile.environmentVariable(for: "metrics_listen") == "OLAFD_METRICS_LISTEN")
    }

    @Test("loopback binds are recognised; anything else is reachable from the network (and warned about)")
    func loopbackDetection() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1"] {
            #expect(MetricsListen(host: host, port: 1).isLoopback, "\(host)")
        }
        for host in ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "127.0.0", "example.org"] {
            #expect(!MetricsListen(host: host, port: 1).isLoopback, "\(host)")
        }
    }
}
