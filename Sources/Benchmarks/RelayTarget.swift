import Core

/// What a relay benchmark drives: olafd processes, or the trivial broadcast endpoint (generator ceiling).
public protocol RelayTarget {
    /// Listening ports; senders use the first, receivers the last.
    var ports: [Int] { get }
    /// CPU seconds used so far by the target's processes.
    var cpuSeconds: Double { get }
    /// Returns once every client's hello has been taken in (`perPort[i]` clients on `ports[i]`).
    func waitGreeted(perPort: [Int]) async throws
    /// Prints what the target knows about lost messages.
    func explainLoss()
}

extension RelayTarget {
    public func explainLoss() {}
}

extension Neighbourhood: RelayTarget {
    public func explainLoss() {
        for server in servers {
            let messages = ServerControl.status(server)?["messages"].map { JSONWriter.compact($0) } ?? "?"
            print("  lost deliveries; \(server.address) reports \(messages); log tail:")
            print(server.log().split(separator: "\n").suffix(5).map { "    " + $0 }.joined(separator: "\n"))
        }
    }

    public var ports: [Int] { servers.map(\.port) }

    public func waitGreeted(perPort: [Int]) async throws {
        for (server, expected) in zip(servers, perPort) {
            try ServerControl.wait("\(expected) clients greeted on \(server.address)") {
                ServerControl.clients(server) == expected
            }
        }
    }
}
