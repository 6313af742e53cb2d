import Core
import OlafCrypto
public import Server
import Testing

/// In-process olafd servers on loopback, each configured with all the others as neighbours.
public enum Mesh {
    /// - Parameter configure: adjusts server `index`'s configuration before it starts.
    public static func start(
        _ count: Int, configure: (_ index: Int, inout ServerConfiguration) -> Void = { _, _ in }
    ) async throws -> [TestServer] {
        let ports = try (0..<count).map { _ in try TestPorts.free() }
        let keys = try (0..<count).map { _ in try TestKeys.server() }
        let addresses = try ports.map { try ServerAddress(parsing: "127.0.0.1:\($0)") }
        var servers: [TestServer] = []
        for index in 0..<count {
            let neighbours = (0..<count).filter { $0 != index }.map {
                Neighbour(address: addresses[$0], publicKey: keys[$0].publicKey)
            }
            servers.append(
                try await TestServer.start(port: ports[index], key: keys[index], neighbours: neighbours) {
                    configure(index, &$0)
                })
        }
        for server in servers {
            for other in servers where other !== server {
                #expect(await waitUntil { await server.hub.isLinked(other.address) }, "link \(server.port)")
            }
        }
        return servers
    }

    public static func stop(_ servers: [TestServer]) async {
        for server in servers { await server.stop() }
    }
}
