public import OlafCrypto

/// `client_list_request`: a client asks its home server for the neighbourhood's client list.
public struct ClientListRequest: WireMessage, Equatable {
    public static let typeName = "client_list_request"
    public init() {}
    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {}
    public var wireObject: JSONObject { ["type": .string(Self.typeName)] }
}

/// `client_update_request`: a server asks a neighbour for its `client_update`.
public struct ClientUpdateRequest: WireMessage, Equatable {
    public static let typeName = "client_update_request"
    public init() {}
    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {}
    public var wireObject: JSONObject { ["type": .string(Self.typeName)] }
}

/// `client_update`: the complete set of clients connected to the sending server. Strict: one invalid key
/// refuses the whole update, so a neighbour's slice is never half-applied. Duplicates are removed.
public struct ClientUpdate: WireMessage, Equatable {
    public static let typeName = "client_update"
    public let clients: [RSAPublicKey]

    public init(clients: [RSAPublicKey]) { self.clients = ClientKeys.deduplicated(clients) }

    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        let pems = try FieldReader(object).stringArray(
            "clients", maxCount: limits.maxClientsPerServer, maxBytesEach: limits.maxPEMBytes)
        var keys: [RSAPublicKey] = []
        for pem in pems { keys.append(try FieldReader.parsePublicKey(pem, field: "clients")) }
        clients = ClientKeys.deduplicated(keys)
    }

    public var wireObject: JSONObject {
        ["type": .string(Self.typeName), "clients": .array(clients.map { .string($0.canonicalPEM) })]
    }
}

/// `client_list`: the neighbourhood's clients grouped by server, sent by a home server to its clients.
/// Lenient per key (interop): an entry whose key is invalid is skipped and counted in `skippedKeys`, so one
/// peer's odd key does not hide everyone else.
public struct ClientList: WireMessage, Equatable {
    public static let typeName = "client_list"

    /// One server's slice of the list.
    public struct Server: Sendable, Equatable {
        /// The server's address as written on the wire.
        public let address: String
        public let clients: [RSAPublicKey]

        public init(address: String, clients: [RSAPublicKey]) {
            self.address = address
            self.clients = ClientKeys.deduplicated(clients)
        }
    }

    public let servers: [Server]
    /// Keys that were present but not valid RSA-2048 SPKI PEMs (not part of `servers`).
    public let skippedKeys: Int

    public init(servers: [Server]) {
        self.servers = servers
        self.skippedKeys = 0
    }

    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        var servers: [Server] = []
        var skipped = 0
        for entry in try FieldReader(object).array("servers", maxCount: limits.maxServersInList) {
            guard case .object(let serverObject) = entry else { throw .notAnObject(field: "servers[]") }
            let reader = FieldReader(serverObject, prefix: "servers[].")
            let address = try reader.string("address", maxBytes: limits.maxAddressBytes)
            let pems = try reader.stringArray(
                "clients", maxCount: limits.maxClientsPerServer, maxBytesEach: limits.maxPEMBytes)
            var keys: [RSAPublicKey] = []
            for pem in pems {
                if let key = try? RSAPublicKey(pem: pem) { keys.append(key) } else { skipped += 1 }
            }
            servers.append(Server(address: address, clients: keys))
        }
        self.servers = servers
        self.skippedKeys = skipped
    }

    public var wireObject: JSONObject {
        let entries: [JSONValue] = servers.map { server in
            .object([
                "address": .string(server.address), "clients": .array(server.clients.map { .string($0.canonicalPEM) }),
            ])
        }
        return ["type": .string(Self.typeName), "servers": .array(entries)]
    }

    public static func == (lhs: ClientList, rhs: ClientList) -> Bool { lhs.servers == rhs.servers }
}

/// Order-preserving removal of duplicate keys.
enum ClientKeys {
    static func deduplicated(_ keys: [RSAPublicKey]) -> [RSAPublicKey] {
        var seen = Set<RSAPublicKey>()
        return keys.filter { seen.insert($0).inserted }
    }
}
