import ControlClient
import Core
import Foundation

/// Reads a benchmark server's state through its control socket (what `olafctl status` shows).
enum ServerControl {
    static func status(_ server: OlafdInstance) -> JSONObject? {
        (try? ControlAPIClient(socketPath: server.controlSocket).status())?.objectValue
    }

    static func clients(_ server: OlafdInstance) -> Int {
        status(server)?["clients"]?.uint64Value.map(Int.init) ?? -1
    }

    /// Whether every configured neighbour shows `connected`.
    static func linked(_ server: OlafdInstance) -> Bool {
        guard let neighbours = status(server)?["neighbours"]?.arrayValue, !neighbours.isEmpty else { return false }
        return neighbours.allSatisfy { $0.objectValue?["state"]?.stringValue == "connected" }
    }

    /// Polls `condition` every 5 ms until true or `timeout`; throws `timeout(what)`.
    static func wait(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw BenchError.timeout(what) }
            usleep(5_000)
        }
    }
}

/// One or two linked `olafd` processes for a benchmark run.
public struct Neighbourhood {
    public let servers: [OlafdInstance]

    /// Starts `count` (1 or 2) servers; two are linked through neighbours files, waiting until both links are up.
    public static func start(ports: [Int], binary: String, extra: [String] = []) throws -> Neighbourhood {
        let count = ports.count
        let servers = try ports.map { try OlafdInstance(binary: binary, port: $0, extra: extra) }
        if count > 1 {
            let keys = try servers.map { try $0.publicKeyPEM(binary: binary) }
            for index in servers.indices {
                let others = servers.indices.filter { $0 != index }.map { other in
                    JSONValue.object(["address": .string(servers[other].address), "public_key": .string(keys[other])])
                }
                let file = (servers[index].stateDirectory as NSString).appendingPathComponent("neighbours.json")
                try JSONWriter.compact(.array(others)).write(toFile: file, atomically: true, encoding: .utf8)
                servers[index].extra += ["--neighbours-file", file]
            }
        }
        for server in servers { try server.start() }
        if count > 1 {
            for server in servers { try ServerControl.wait("neighbour links up") { ServerControl.linked(server) } }
        }
        return Neighbourhood(servers: servers)
    }

    public func stop() { for server in servers { server.stop() } }

    /// Sum of the servers' CPU seconds.
    public var cpuSeconds: Double { servers.reduce(0) { $0 + ProcessStats.cpuSeconds(pid: $1.pid) } }
}
