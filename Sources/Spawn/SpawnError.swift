/// Why a child process could not be started or finished.
public enum SpawnError: Error, CustomStringConvertible, Equatable {
    /// `posix_spawn` refused (errno): the program is missing or not executable, or the system is out of
    /// processes or memory.
    case spawnFailed(executable: String, errno: Int32)
    /// A pipe for the child's output could not be created (errno; usually too many open files).
    case pipeFailed(errno: Int32)
    /// The child did not exit within the allowed time and was killed (SIGKILL).
    case timedOut(executable: String, seconds: Double)

    public var description: String {
        switch self {
        case .spawnFailed(let executable, let errno):
            "cannot start \(executable): \(String(cString: strerror(errno))) (check that it is installed and executable)"
        case .pipeFailed(let errno):
            "cannot create a pipe for a child's output: \(String(cString: strerror(errno))) (raise the open-file limit)"
        case .timedOut(let executable, let seconds):
            "\(executable) did not finish within \(seconds) s and was killed"
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
