public import Core

/// Why a message was not sent. Messages are shown to the user as they are.
public enum SendError: Error, Sendable, CustomStringConvertible {
    case notConnected(detail: String?)
    case noRecipients
    case recipientOffline(fingerprint: String)
    case emptyMessage
    case invalid(ProtocolError)
    case store(String)

    public var description: String {
        switch self {
        case .notConnected(let detail):
            "not connected to the home server" + (detail.map { " (\($0))" } ?? "") + "; the message was not sent"
        case .noRecipients: "choose at least one recipient other than yourself"
        case .recipientOffline(let fingerprint):
            "recipient \(fingerprint.prefix(12))… is not online in the neighbourhood; the message was not sent"
        case .emptyMessage: "the message is empty"
        case .invalid(let error): "the message cannot be sent: \(error)"
        case .store(let reason): "the message could not be saved: \(reason)"
        }
    }
}
