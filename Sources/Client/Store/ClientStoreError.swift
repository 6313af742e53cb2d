/// Why the local store failed. Messages name the file and the operation; never message text or keys.
public enum ClientStoreError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case newerSchema(path: String)
    case operationFailed(operation: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the local store \(path): \(reason); check the data directory's permissions"
        case .newerSchema(let path):
            "the local store \(path) was written by a newer olaf-client; upgrade olaf-client"
        case .operationFailed(let operation, let reason): "local store: cannot \(operation): \(reason)"
        }
    }
}
