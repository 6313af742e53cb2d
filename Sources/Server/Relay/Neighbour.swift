public import Core
public import OlafCrypto

/// A configured neighbour: its name in the neighbourhood, where to dial it, and the key its `server_hello` must
/// be signed with.
public struct Neighbour: Sendable, Equatable {
    /// The neighbour's address: its identity, compared canonically (`localhost` = `localhost:80`). Its
    /// `spelling` is how the operator wrote it, which is what we emit until the neighbour names itself.
    public let address: ServerAddress
    public let publicKey: RSAPublicKey
    /// Where to dial it: the reference implementation's neighbourhood file has a `URL` beside the `address`
    /// (which is then only a name). Nil: dial `address`.
    public let url: ServerAddress?
    /// PEM file of the CA that must have issued the neighbour's certificate when it is dialled over TLS
    /// (`wss://`); nil trusts the system's CA store.
    public let caFile: String?

    public init(address: ServerAddress, publicKey: RSAPublicKey, url: ServerAddress? = nil, caFile: String? = nil) {
        self.address = address
        self.publicKey = publicKey
        self.url = url
        self.caFile = caFile
    }

    /// The address as stored and shown: its spelling, with `wss://` when it says TLS.
    public var configuredAddress: String { Self.configured(address) }

    /// The dial URL as stored, when one was configured.
    public var configuredURL: String? { url.map { ($0.usesTLS ? "wss://" : "ws://") + $0.spelling } }

    private static func configured(_ address: ServerAddress) -> String {
        (address.usesTLS ? "wss://" : "") + address.spelling
    }

    /// The address our dialer connects to (`wss://` in either means TLS, never downgraded).
    public var dialAddress: ServerAddress { url ?? address }

    /// The counter-tracker key for this neighbour's `server_hello`s (kept apart from user fingerprints).
    public var counterKey: String { "server:" + address.canonical }

    /// Same name, key and dial address (spelling included: a re-spelled neighbour is re-announced).
    public static func == (lhs: Neighbour, rhs: Neighbour) -> Bool {
        lhs.address == rhs.address && lhs.address.spelling == rhs.address.spelling && lhs.publicKey == rhs.publicKey
            && lhs.url == rhs.url && lhs.url?.usesTLS == rhs.url?.usesTLS
            && lhs.address.usesTLS == rhs.address.usesTLS && lhs.caFile == rhs.caFile
    }
}

extension Neighbour {
    /// The neighbour a stored row describes (its configured spelling, URL and CA file when it has them).
    public init(stored: StoredNeighbour) throws {
        self.init(
            address: try ServerAddress(parsing: stored.configured ?? stored.address),
            publicKey: try RSAPublicKey(pem: stored.publicKeyPEM),
            url: try stored.url.map { try ServerAddress(parsing: $0) }, caFile: stored.caFile)
    }
}
