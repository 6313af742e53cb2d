import OlafTestSupport
import Core
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import NIOSSL
import Server
import Testing

@Suite("TLS listener", .timeLimit(.minutes(1)))
struct TLSTests {
    /// A self-signed certificate for localhost made with the openssl command line. (TLS clients send the host
    /// name as SNI, which cannot be an IP address, so the client dials `wss://localhost`.)
    static func selfSigned(in directory: String) async throws -> (certificate: String, key: String) {
        let certificate = (directory as NSString).appendingPathComponent("cert.pem")
        let key = (directory as NSString).appendingPathComponent("key.pem")
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/openssl"),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        try #require(result.status == 0, "\(result.error)")
        return (certificate, key)
    }

    @Test("with a certificate and key, clients speak wss:// and plain ws:// is refused")
    func wss() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("olaf-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (certificate, key) = try await Self.selfSigned(in: directory)
        let server = try await TestServer.start {
            $0.tlsCertificatePath = certificate
            $0.tlsKeyPath = key
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
        let alice = await TestClient(url: "wss://localhost:\(server.port)/", key: try TestKeys.user(), tls: tls)
        try alice.sendHello()
        #expect(await alice.clientList { $0.fingerprints(at: server.address).contains(alice.fingerprint) } != nil)

        // Plain HTTP to the TLS listener gets no answer (the TLS handshake fails and the socket is closed).
        let url = URL(string: "http://127.0.0.1:\(server.port)/api/files/00000000000000000000000000000000/x")!
        await #expect(throws: (any Error).self) { _ = try await URLSession.shared.data(from: url) }
        await server.stop()
    }

    @Test("a certificate without its key is a configuration error")
    func halfConfigured() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await TestServer.start { $0.tlsCertificatePath = "/nonexistent.pem" }
        }
    }
}
