import OlafTestSupport
import Foundation
import Spawn
import Testing

/// The real `olafd` executable (built by `swift build`), run as a child process for end-to-end tests.
final class OlafdProcess: Sendable {
    let process: ChildProcess
    let port: Int
    let stateDirectory: String
    /// olafd's stderr goes to this file (in the state directory's parent, so olafd never sees it).
    private let errorLog: String

    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/olafd")
    }

    /// Runs `olafd ARGUMENTS` to completion (off the concurrency pool); returns exit status, stdout and stderr.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build first: swift build")
        return try await runProcess(binary, arguments)
    }

    /// Starts `olafd --listen 127.0.0.1:PORT --state-dir DIR EXTRA...` and waits until it accepts connections.
    /// `launcher`, if given, runs olafd through another program that execs it (e.g. `prlimit --nofile=…`).
    init(
        port: Int, stateDirectory: String, extra: [String] = [], environment: [String: String] = [:],
        launcher: [String] = []
    ) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build first: swift build")
        self.port = port
        self.stateDirectory = stateDirectory
        // The test profile first: a test's own --set (later on the line) wins.
        let arguments =
            ["--listen", "127.0.0.1:\(port)", "--state-dir", stateDirectory] + TestServer.testProfileArguments + extra
        let command = launcher.isEmpty ? [Self.binary.path] + arguments : launcher + [Self.binary.path] + arguments
        errorLog = (stateDirectory as NSString).deletingLastPathComponent + "/olafd-stderr-\(UUID().uuidString).log"
        let log = open(errorLog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { if log >= 0 { close(log) } }
        let process = try ChildProcess.spawn(
            command[0], Array(command.dropFirst()),
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            standardOutput: .null, standardError: log >= 0 ? .descriptor(log) : .inherit)
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if Self.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("olafd did not start listening on \(port): \(stderrText())")
    }

    var url: String { "ws://127.0.0.1:\(port)/" }

    /// Sends `signal` and waits up to `timeout` for the exit; returns the exit status (nil if still running).
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async -> Int32? {
        process.send(signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            guard await pause(.milliseconds(20)) else { break }
        }
        return process.exited?.code
    }

    /// Whatever olafd wrote to stderr so far (read after it exited).
    func stderrText() -> String {
        guard !process.isRunning else { return "(still running)" }
        return (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
    }

    deinit {
        process.send(SIGKILL)
        process.wait()
        unlink(errorLog)
    }

    static func canConnect(port: Int) -> Bool {
        let descriptor = Loopback.tcpSocket()
        defer { close(descriptor) }
        return Loopback.withAddress(port: port) { connect(descriptor, $0, $1) } == 0
    }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("olafd-proc-\(UUID().uuidString)").path
        // 0700 like systemd's StateDirectory=: olafd refuses a state directory group or others can write.
        try? FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }
}
