public import Core
public import OlafCrypto

/// The neighbourhood's online clients as the home server last listed them, grouped by server, with lookup by
/// fingerprint (canonical or any spelling `SenderFingerprints` accepts).
public struct OnlineDirectory: Sendable {
    /// One listed client.
    public struct Entry: Sendable {
        public let key: RSAPublicKey
        /// The server's address exactly as the list wrote it (what `destination_servers` must carry).
        public let server: String
    }

    /// One server's slice, in list order.
    public struct Server: Sendable, Codable, Equatable {
        public let address: String
        public let fingerprints: [String]
    }

    public private(set) var servers: [Server] = []
    private var entries: [String: Entry] = [:]

    public init() {}

    /// Builds the directory from a `client_list`. A key listed under two servers keeps its first listing.
    public init(list: ClientList) {
        for server in list.servers {
            var fingerprints: [String] = []
            for key in server.clients where entries[key.fingerprint] == nil {
                entries[key.fingerprint] = Entry(key: key, server: server.address)
                fingerprints.append(key.fingerprint)
            }
            servers.append(Server(address: server.address, fingerprints: fingerprints))
        }
    }

    /// Every listed client.
    public var allEntries: [Entry] { Array(entries.values) }

    /// The entry for a canonical fingerprint.
    public func entry(for fingerprint: String) -> Entry? { entries[fingerprint] }

    /// Whether `fingerprint` is listed.
    public func contains(_ fingerprint: String) -> Bool { entries[fingerprint] != nil }
}
