/// How a child process ended.
public enum Termination: Sendable, Equatable {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)
    /// It ended, but something else in this process reaped it first, so its status is lost.
    case unknown

    /// Decodes a `waitpid` status word (the `WIFEXITED` / `WEXITSTATUS` / `WTERMSIG` macros, which Swift does
    /// not import).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// Foundation `Process.terminationStatus` style: the exit status, or the number of the signal that ended it.
    public var code: Int32 {
        switch self {
        case .exited(let status): status
        case .signalled(let signal): signal
        case .unknown: -1
        }
    }
}
