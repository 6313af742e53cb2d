import OlafTestSupport
import Core
import OlafCrypto
import Server

/// A test harness acting as a configured neighbour: it holds a neighbour key the server trusts and opens an
/// authenticated inbound link (a signed `server_hello`), over which it can send anything a neighbour could.
struct FakeNeighbour {
    let key: RSAPrivateKey
    let address: ServerAddress
    let link: TestClient

    /// Configures a new neighbour on `server` and links to it; returns once the link is authenticated.
    static func linked(to server: TestServer) async throws -> FakeNeighbour {
        let key = try TestKeys.server()
        let address = try ServerAddress(parsing: "127.0.0.1:\(try TestPorts.free())")
        await server.hub.setNeighbour(Neighbour(address: address, publicKey: key.publicKey))
        let link = await TestClient(url: server.url, key: key)
        try link.sendSigned(.serverHello(ServerHelloData(sender: address)))
        _ = await waitUntil(timeout: .seconds(20)) { await server.hub.linkState(of: address).links >= 1 }
        return FakeNeighbour(key: key, address: address, link: link)
    }

    func sendClientUpdate(_ keys: [RSAPublicKey]) { link.send(OlafMessage.clientUpdate(ClientUpdate(clients: keys)).text) }
}
