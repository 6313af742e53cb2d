/// What the local store keeps and the UI API shows. All types are plain values, `Codable` for the JSON API.

/// Who wrote a message relative to this user.
public enum MessageDirection: String, Sendable, Codable {
    case incoming = "in"
    case outgoing = "out"
}

/// A message's state: `sent` (handed to the home server), `verified` (received; signature and counter
/// checked), `failed` (not sent).
public enum MessageStatus: String, Sendable, Codable {
    case sent, verified, failed
}

/// A file link carried by a message.
public struct FileLink: Sendable, Codable, Equatable {
    public var url: String
    public var name: String
    /// Size in bytes when known (files we sent).
    public var size: Int64?

    public init(url: String, name: String, size: Int64?) {
        self.url = url
        self.name = name
        self.size = size
    }
}

/// One message of a conversation.
public struct MessageRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var conversation: String
    public var direction: MessageDirection
    /// The sender's canonical fingerprint.
    public var sender: String
    public var text: String
    /// Seconds since 1970 when stored.
    public var timestamp: Double
    public var status: MessageStatus
    /// Set when the text is a file link (ours, or an incoming single http(s) URL).
    public var file: FileLink?
}

/// The kind of a conversation.
public enum ConversationKind: String, Sendable, Codable {
    case publicChannel = "public"
    case direct, group
}

/// A conversation: the public channel, or the chat of one participant set (direct when two people).
public struct ConversationRecord: Sendable, Codable, Equatable {
    public var id: String
    public var kind: ConversationKind
    /// Canonical fingerprints of every participant, this user included, sorted (empty for the public channel).
    public var participants: [String]
    public var updatedAt: Double
    public var lastText: String?
}

/// Someone whose key we have seen in a client list.
public struct ContactRecord: Sendable, Codable, Equatable {
    public var fingerprint: String
    public var nickname: String?
    public var publicKeyPEM: String
    /// The server that last listed them, as the list wrote it.
    public var lastServer: String?
    public var lastSeen: Double
}

/// A file this user uploaded.
public struct FileTransferRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var name: String
    public var size: Int64
    public var url: String
    public var createdAt: Double
}
