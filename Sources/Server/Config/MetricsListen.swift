/// The address of the opt-in Prometheus listener (`metrics_listen = "127.0.0.1:9464"`).
public struct MetricsListen: Sendable, Equatable {
    /// Host to bind (an IP address or name; `[::1]` is written without brackets here).
    public var host: String
    /// Port; 0 lets the OS choose (the bound address is logged).
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` as `listen` is parsed (IPv6 as `[::1]:9464`).
    public init(parsing text: String) throws(ListenAddress.Invalid) {
        (host, port) = try ListenAddress.parse(text)
    }

    /// Whether only this machine can connect: `localhost`, 127.0.0.0/8 or ::1. Anything else is reachable
    /// from the network, where `/metrics` has no authentication (olafd logs a warning, it does not refuse).
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
