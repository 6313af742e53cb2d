import Foundation

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

    private let process = Process()
    private let greetPause: Duration
    public let ports: [Int]

    /// Starts the server on `port` (a free one when nil) and waits (up to 30 s) until it listens.
    public init(_ kind: Kind, port: Int? = nil) throws {
        let port = port ?? LoopbackPort.free()
        ports = [port]
        switch kind {
        case .broadcastEndpoint:
            process.executableURL = URL(fileURLWithPath: BenchSetup.ownExecutable)
            process.arguments = ["broadcast-server", "--port", String(port)]
            greetPause = .milliseconds(200)
        case .pythonRelay(let script):
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, "--port", String(port)]
            // Python verifies each hello in its one thread: give a few hundred hellos time to land.
            greetPause = .seconds(2)
        }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try ServerControl.wait("\(kind) listening", timeout: .seconds(30)) {
            guard process.isRunning else { return true }
            return LoopbackPort.accepts(port)
        }
        guard process.isRunning else {
            throw BenchError.startFailed("\(kind): it exited at once (is python3, websockets or cryptography missing?)")
        }
    }

    public var cpuSeconds: Double { ProcessStats.cpuSeconds(pid: process.processIdentifier) }

    public func waitGreeted(perPort: [Int]) async throws { try await Task.sleep(for: greetPause) }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
