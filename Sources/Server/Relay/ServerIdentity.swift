public import Core
public import OlafCrypto

/// The server's own key, address and outgoing counter. The counter is persisted before each use, so a signed
/// `server_hello` never repeats a counter, even across restarts.
public actor ServerIdentity {
    public nonisolated let key: RSAPrivateKey
    public nonisolated let address: ServerAddress
    private let store: any ServerStore
    private var counter: OutgoingCounter

    public init(key: RSAPrivateKey, address: ServerAddress, store: any ServerStore) async throws {
        self.key = key
        self.address = address
        self.store = store
        self.counter = OutgoingCounter(last: try await store.ownCounter())
    }

    /// A signed `server_hello` naming our public address, with a fresh persisted counter.
    func signedServerHello() async throws -> String {
        let value = counter.next()
        try await store.saveOwnCounter(value)
        let envelope = try SignedEnvelope.sign(
            .serverHello(ServerHelloData(sender: address)), counter: value, with: key)
        return OlafMessage.signed(envelope).text
    }
}
