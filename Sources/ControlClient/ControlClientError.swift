/// What went wrong talking to olafd, worded for the operator, with the exit code `olafctl` uses.
public enum ControlClientError: Error, CustomStringConvertible {
    case notRunning(socketPath: String, reason: String)
    case permissionDenied(socketPath: String)
    case refused(status: Int, message: String)
    case io(String)
    /// olafd accepted the connection but did not answer in time (it may be overloaded or hung).
    case timedOut(seconds: Int)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .notRunning(_, let reason):
            "olafd is not running: \(reason) (start it: systemctl start olafd; or pass --socket PATH)"
        case .permissionDenied(let path):
            "permission denied on \(path): add yourself to group olafd (then log in again), or use sudo"
        case .refused(let status, let message): "olafd refused the request (\(status)): \(message)"
        case .io(let message): "cannot talk to olafd: \(message)"
        case .timedOut(let seconds):
            "olafd accepted the connection but did not answer within \(seconds) s; check `systemctl status olafd` "
                + "and its journal"
        case .invalidInput(let message): message
        }
    }

    /// 2 usage/input, 3 not running, 4 permission, 5 refused by olafd, 1 anything else.
    public var exitCode: Int32 {
        switch self {
        case .invalidInput: 2
        case .notRunning: 3
        case .permissionDenied: 4
        case .refused: 5
        case .io, .timedOut: 1
        }
    }
}
