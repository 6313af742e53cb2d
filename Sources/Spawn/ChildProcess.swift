import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with `posix_spawn` and a clean signal state (see `CleanSpawnAttributes`): the one
/// way OLAF's programs and tests start other programs (`openssl speed`, `olafd`, `curl`, Python relays).
/// Foundation's `Process` is not used: it offers no control over the child's signal state. Swift 6.3.1's
/// clears the mask but passes ignored signals on (checked: a parent's SIG_IGN for SIGUSR2 reaches the child),
/// and the `olaf-bench crypto` hang of issue 14 came from a child that got the spawning thread's mask.
///
/// The child's descriptors other than 0, 1 and 2 are closed, so it never holds the parent's sockets or the
/// write end of another child's output pipe.
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: Int32
    /// The program, for messages.
    public let executable: String
    /// Set once the child has been reaped (under the lock, so exactly one caller reaps it).
    private let termination = Mutex<Termination?>(nil)

    private init(pid: Int32, executable: String) {
        self.pid = pid
        self.executable = executable
    }

    /// Starts `executable` (a path; use `/usr/bin/env` to search `PATH`) with `arguments`.
    /// - Parameters:
    ///   - environment: the child's environment; nil passes this process's environment on.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        standardInput: StandardStream = .null, standardOutput: StandardStream = .inherit,
        standardError: StandardStream = .inherit
    ) throws(SpawnError) -> ChildProcess {
        let pid = try SpawnFileActions.with(
            standardInput: standardInput, standardOutput: standardOutput, standardError: standardError
        ) { actions throws(SpawnError) in
            try CleanSpawnAttributes.with { attributes throws(SpawnError) in
                try CStrings.withArray([executable] + arguments) { argv throws(SpawnError) in
                    try CStrings.withEnvironment(environment) { envp throws(SpawnError) in
                        var pid = pid_t()
                        let result = posix_spawn(&pid, executable, actions, attributes, argv, envp)
                        guard result == 0 else { throw .spawnFailed(executable: executable, errno: result) }
                        return pid
                    }
                }
            }
        }
        return ChildProcess(pid: pid, executable: executable)
    }

    /// Sends `signal` to the child (nothing once it has been reaped: its pid may belong to someone else).
    public func send(_ signal: Int32) {
        termination.withLock { if $0 == nil { _ = kill(pid, signal) } }
    }

    /// How it ended; nil while it runs. Never blocks.
    public var exited: Termination? {
        termination.withLock { state in
            if let state { return state }
            var status: Int32 = 0
            switch waitpid(pid, &status, WNOHANG) {
            case pid: state = Termination(waitStatus: status)
            // Reaped by someone else (a waitpid(-1) elsewhere in the process): it has ended, how is unknown.
            case -1 where errno == ECHILD: state = .unknown
            default: return nil
            }
            return state
        }
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { exited == nil }

    /// Blocks until the child exits. Call it off Swift's concurrency pool (it holds its thread).
    @discardableResult
    public func wait() -> Termination {
        while true {
            if let done = exited { return done }
            // Wait for the exit without reaping (WNOWAIT), then reap under the lock in `exited`.
            var info = siginfo_t()
            _ = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        }
    }

    /// Waits up to `timeout` for the exit (polling; never blocks longer); nil if it still runs.
    public func wait(timeout: Duration) -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let done = exited { return done }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`; returns how it ended.
    @discardableResult
    public func terminate(grace: Duration = .seconds(10)) -> Termination {
        send(SIGTERM)
        if let done = wait(timeout: grace) { return done }
        send(SIGKILL)
        return wait()
    }
}
