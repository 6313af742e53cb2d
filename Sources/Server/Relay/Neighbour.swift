public import Core
public import OlafCrypto

/// A configured neighbour: where it lives and the key its `server_hello` must be signed with.
public struct Neighbour: Sendable, Equatable {
    public let address: ServerAddress
    public let publicKey: RSAPublicKey

    public init(address: ServerAddress, publicKey: RSAPublicKey) {
        self.address = address
        self.publicKey = publicKey
    }

    /// The counter-tracker key for this neighbour's `server_hello`s (kept apart from user fingerprints).
    public var counterKey: String { "server:" + address.canonical }
}
