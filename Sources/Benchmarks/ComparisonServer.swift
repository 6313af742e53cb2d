import Foundation
import Spawn

/// A relay target that is not olafd, run as a child process on a free loopback port: the trivial broadcast
/// endpoint (the generator's ceiling) or the Python reference relay (`scripts/reference-relay.py`, the CPU
/// comparison). Neither has a control API, so greeting is waited for by a pause.
public final class ComparisonServer: RelayTarget {
    /// Which server.
    public enum Kind: Sendable {
        /// `olaf-bench broadcast-server`: forwards every frame unparsed.
        case broadcastEndpoint
        /// `python3 SCRIPT --port P`: verifies and relays as protocol.md asks.
        case pythonRelay(script: String)
    }

    private let process: ChildProcess
    private let greetPause: Duration
    public let ports: [Int]

    /// Starts the server on `port` (a free one when nil) and waits (up to 30 s) until it listens.
    public init(_ kind: Kind, port: Int? = nil) throws {
        let port = port ?? LoopbackPort.free()
        ports = [port]
        let command: [String]
        switch kind {
        case .broadcastEndpoint:
            command = [BenchSetup.ownExecutable, "broadcast-server", "--port", String(port)]
            greetPause = .milliseconds(200)
        case .pythonRelay(let script):
            command = ["/usr/bin/env", "python3", script, "--port", String(port)]
            // Python verifies each hello in its one thread: give a few hundred hellos time to land.
            greetPause = .seconds(2)
        }
        let process = try ChildProcess.spawn(command[0], Array(command.dropFirst()), standardOutput: .null)
        self.process = process
        try ServerControl.wait("\(kind) listening", timeout: .seconds(30)) {
            guard process.isRunning else { return true }
            return LoopbackPort.accepts(port)
        }
        guard process.isRunning else {
            throw BenchError.startFailed("\(kind): it exited at once (is python3, websockets or cryptography missing?)")
        }
    }

    public var cpuSeconds: Double { ProcessStats.cpuSeconds(pid: process.pid) }

    public func waitGreeted(perPort: [Int]) async throws { try await Task.sleep(for: greetPause) }

    public func stop() {
        guard process.isRunning else { return }
        process.send(SIGTERM)
        process.wait()
    }

    deinit {
        process.send(SIGKILL)
        process.wait()
    }
}
