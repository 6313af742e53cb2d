import OlafTestSupport
import Foundation
import Testing

/// The real `olafd` executable (built by `swift build`), run as a child process for end-to-end tests.
final class OlafdProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` and the pipe are only touched from the test task that owns this object
    // (start, signal, wait); Foundation's Process is not annotated Sendable but is used sequentially here.
    let process = Process()
    let port: Int
    let stateDirectory: String
    private let errorOutput = Pipe()

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
        let arguments = ["--listen", "127.0.0.1:\(port)", "--state-dir", stateDirectory] + extra
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Self.binary.path] + arguments
        } else {
            process.executableURL = Self.binary
            process.arguments = arguments
        }
        process.standardError = errorOutput
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
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
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Whatever olafd wrote to stderr so far (read after it exited).
    func stderrText() -> String {
        guard !process.isRunning else { return "(still running)" }
        return String(decoding: errorOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

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
