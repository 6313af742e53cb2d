import Foundation
import Spawn

/// One real `olafd` process on loopback with a fresh (or prepared) state directory, for benchmarks.
public final class OlafdInstance {
    public let port: Int
    public let stateDirectory: String
    /// The running process, once `launch()` started it.
    private var child: ChildProcess?
    private let environment: [String: String]
    private let binary: String
    private let baseArguments: [String]
    /// Arguments after the benchmark settings; may be changed until `start()`.
    public var extra: [String]
    /// The full command line, for the report.
    public var commandLine: String { ([binary] + baseArguments + extra).joined(separator: " ") }

    /// The settings every benchmark server gets: per-client, per-IP and per-neighbour rate limits lifted so the
    /// generator (every client comes from 127.0.0.1), not a token bucket, sets the pace; 20,000 clients;
    /// warnings-only logging (info logs one line per client).
    public static let benchmarkSettings =
        [
            "limits.messages_per_second=10000000", "limits.message_burst=10000000", "limits.max_clients=20000",
            "limits.max_connections_per_ip=0", "limits.hellos_per_minute_per_ip=100000000",
            "limits.hello_burst_per_ip=100000000", "limits.bytes_per_second=100000000000",
            "limits.byte_burst=100000000000", "limits.neighbour_frames_per_second=100000000",
            "limits.neighbour_frame_burst=100000000", "limits.uploads_per_minute_per_ip=1000000",
            "limits.upload_burst_per_ip=1000000",
        ].flatMap { ["--set", $0] } + ["--log-level", "warning"]

    /// The process id (0 before `launch()`).
    public var pid: Int32 { child?.pid ?? 0 }
    /// Whether the process has been started and has not exited.
    public var isRunning: Bool { child?.isRunning ?? false }
    public var address: String { "127.0.0.1:\(port)" }
    public var controlSocket: String { (stateDirectory as NSString).appendingPathComponent("control.sock") }

    /// Prepares (but does not start) `olafd --listen 127.0.0.1:PORT --state-dir DIR --passphrase-file F
    /// benchmarkSettings EXTRA`.
    public init(
        binary: String, port: Int? = nil, stateDirectory: String? = nil, extra: [String] = [],
        environment: [String: String] = [:]
    ) throws {
        self.port = port ?? LoopbackPort.free()
        let state = stateDirectory ?? Self.temporaryDirectory("olafd-bench-state")
        self.stateDirectory = state
        let passphrase = (state as NSString).appendingPathComponent("bench-passphrase")
        if !FileManager.default.fileExists(atPath: passphrase) {
            _ = FileManager.default.createFile(
                atPath: passphrase, contents: Data("olaf-bench passphrase".utf8),
                attributes: [.posixPermissions: 0o600])
        }
        self.binary = binary
        baseArguments =
            ["--listen", "127.0.0.1:\(self.port)", "--state-dir", state, "--passphrase-file", passphrase]
            + Self.benchmarkSettings
        self.extra = extra
        self.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    private var logPath: String { (stateDirectory as NSString).appendingPathComponent("olafd.log") }

    /// Starts the process and waits (up to 60 s) until it accepts TCP connections; returns the time from
    /// exec to listening.
    @discardableResult
    public func start() throws -> Duration {
        let begin = ContinuousClock.now
        try launch()
        while ContinuousClock.now - begin < .seconds(60) {
            guard isRunning else { throw BenchError.serverDied(log()) }
            if LoopbackPort.accepts(port) { return ContinuousClock.now - begin }
            usleep(2_000)
        }
        throw BenchError.timeout("olafd did not listen on \(port) within 60 s")
    }

    /// Starts the process without waiting.
    public func launch() throws {
        let log = open(logPath, O_WRONLY | O_APPEND | O_CLOEXEC)
        defer { if log >= 0 { close(log) } }
        child = try ChildProcess.spawn(
            binary, baseArguments + extra, environment: environment, standardOutput: .null,
            standardError: log >= 0 ? .descriptor(log) : .null)
    }

    /// The server's log so far (stderr).
    public func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then SIGKILL after 10 s; removes the state directory unless `keepState`.
    public func stop(keepState: Bool = false) {
        child?.terminate(grace: .seconds(10))
        if !keepState { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }

    deinit {
        child?.send(SIGKILL)
        child?.wait()
    }

    /// A new private directory under the system temporary directory.
    public static func temporaryDirectory(_ prefix: String) -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// `olafd key show --state-dir DIR --passphrase-file F`: the server's public key PEM (creates the keystore).
    public func publicKeyPEM(binary: String) throws -> String {
        let show = try ChildProcess.run(
            binary,
            [
                "key", "show", "--state-dir", stateDirectory, "--passphrase-file",
                (stateDirectory as NSString).appendingPathComponent("bench-passphrase"),
            ])
        guard show.termination == .exited(0) else {
            throw BenchError.serverDied("olafd key show failed: \(show.errorText.suffix(500))")
        }
        return show.outputText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Why a benchmark could not complete.
public enum BenchError: Error, CustomStringConvertible {
    case serverDied(String)
    case timeout(String)
    case connectFailed(String)
    case verificationFailed(String)
    case startFailed(String)

    public var description: String {
        switch self {
        case .serverDied(let log): "olafd exited unexpectedly; its log:\n\(log.suffix(2000))"
        case .timeout(let what): "timed out: \(what)"
        case .connectFailed(let what): "connection failed: \(what)"
        case .verificationFailed(let what): "sample verification failed: \(what)"
        case .startFailed(let what): "could not start \(what)"
        }
    }
}
