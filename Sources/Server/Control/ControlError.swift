/// Why the control socket could not be set up or a control request failed.
public enum ControlError: Error, CustomStringConvertible {
    case unsafeSocketPath(path: String, reason: String)
    case noPeerCredentials

    public var description: String {
        switch self {
        case .unsafeSocketPath(let path, let reason):
            "refusing to use control socket \(path): \(reason); remove it or set control_socket to another path"
        case .noPeerCredentials: "cannot read the peer credentials of a control connection"
        }
    }
}
