import Core
import Foundation
import NIOSSL
import OlafCrypto
import OlafTestSupport
import Server
import Testing

/// Issue 13 item 8: a neighbour configured as `wss://` is dialled over TLS, its certificate verified against its
/// pinned CA file (or the system store), never silently downgraded.
@Suite("Neighbours over TLS", .serialized, .timeLimit(.minutes(2)))
struct NeighbourTLSTests {
    @Test("a wss:// neighbour is dialled over TLS with its pinned CA; without it the link never comes up")
    func wssNeighbour() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("olaf-neighbour-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (certificate, tlsKey) = try await TLSTests.selfSigned(in: directory)
        let (portA, portB) = (try TestPorts.free(), try TestPorts.free())
        let (keyA, keyB) = (try TestKeys.server(), try TestKeys.server())
        let addressA = try ServerAddress(parsing: "127.0.0.1:\(portA)")
        // B serves TLS only; it names itself localhost (a certificate names a host, not an IP address).
        let addressB = try ServerAddress(parsing: "wss://localhost:\(portB)")
        let b = try await TestServer.start(
            port: portB, key: keyB, neighbours: [Neighbour(address: addressA, publicKey: keyA.publicKey)]
        ) {
            $0.tlsCertificatePath = certificate
            $0.tlsKeyPath = tlsKey
            $0.publicAddress = try? ServerAddress(parsing: "localhost:\(portB)")
        }
        let a = try await TestServer.start(
            port: portA, key: keyA,
            neighbours: [Neighbour(address: addressB, publicKey: keyB.publicKey, caFile: certificate)])
        #expect(await waitUntil { await a.hub.isLinked(addressB) })
        #expect(await waitUntil { await b.hub.linkState(of: addressA).links >= 1 })
        let alice = try await TestClient.connected(to: a)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate)
        let bob = await TestClient(url: "wss://localhost:\(portB)/", key: try TestKeys.user(), tls: tls)
        try bob.sendHello()
        _ = await alice.clientList { $0.fingerprints(at: addressB).contains(bob.fingerprint) }
        try alice.sendChat("over tls", to: [(bob, b)])
        #expect(await bob.waitForChat("over tls", from: alice) != nil)

        // The same neighbour without the pinned CA: the system store does not trust it, so no link, and no
        // fallback to plain ws:// either.
        let untrusting = try await TestServer.start(
            neighbours: [Neighbour(address: addressB, publicKey: keyB.publicKey)])
        try await Task.sleep(for: .seconds(3))
        #expect(await !untrusting.hub.isLinked(addressB))
        await untrusting.stop()
        await a.stop()
        await b.stop()
    }
}
