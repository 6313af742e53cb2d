import Core
import Foundation
import OlafCrypto

/// A snapshot of what `olafctl status` shows, gathered from the hub, the store and the statistics.
struct ServerStatus {
    struct NeighbourState {
        let address: String
        let connected: Bool
        /// The neighbour proved itself on our dialled socket too (a verified `server_hello` there).
        let authenticated: Bool
        let inboundLinks: Int
        let lastSeen: Date?
    }

    let version: String
    let uptimeSeconds: Double
    let listen: String
    let publicAddress: String
    let fingerprint: String
    let clients: Int
    let neighbours: [NeighbourState]
    let fileCount: Int
    let fileBytes: Int64
    let counts: RelayStatistics.Counts
    /// Refusals by abuse limit, since start.
    let refusals: [LimitKind: Int]
    /// Keys listed by more than one neighbour now (withheld from the client list).
    let contestedClients: Int

    var json: JSONValue {
        .object([
            "version": .string(version),
            "uptime_seconds": .number(String(Int(uptimeSeconds))),
            "listen": .string(listen),
            "public_address": .string(publicAddress),
            "fingerprint": .string(fingerprint),
            "clients": .integer(clients),
            "neighbours": .array(
                neighbours.map { neighbour in
                    .object([
                        "address": .string(neighbour.address),
                        "state": .string(neighbour.connected ? "connected" : "disconnected"),
                        "outbound_authenticated": .bool(neighbour.authenticated),
                        "inbound_links": .integer(neighbour.inboundLinks),
                        "last_seen": neighbour.lastSeen.map { .string(ISO8601DateFormatter().string(from: $0)) }
                            ?? .null,
                    ])
                }),
            "files": .object(["count": .integer(fileCount), "bytes": .number(String(fileBytes))]),
            "messages": .object([
                "relayed": .integer(counts.relayed),
                "deliveries": .integer(counts.deliveries),
                "dropped": .object(
                    JSONObject(DropReason.allCases.map { ($0.rawValue, .integer(counts.dropped[$0, default: 0])) })),
            ]),
            "federation": .object([
                "counter_resets": .integer(counts.neighbourCounterResets),
                "key_conflicts": .integer(counts.neighbourKeyConflicts),
                "contested_clients": .integer(contestedClients),
            ]),
            "limits": .object([
                "refused": .object(
                    JSONObject(LimitKind.allCases.map { ($0.rawValue, .integer(refusals[$0, default: 0])) }))
            ]),
        ])
    }
}
