/// The JSON shapes of the UI API.
enum API {
    struct State: Encodable {
        let locked: Bool
        let hasKey: Bool
        let fingerprint: String?
        let publicKey: String?
        let homeServer: String
        let connection: ConnectionStatus?
        let drops: [String: Int]
        /// Where uploads go (the home server's file API, or the `--file-api` setting).
        let uploadURL: String
        let maxUploadBytes: Int64
        let maxMessageBytes: Int
    }

    struct Passphrase: Decodable {
        let passphrase: String
    }

    struct OnlineClient: Encodable {
        let fingerprint: String
        let nickname: String?
        let isSelf: Bool
    }

    struct OnlineServer: Encodable {
        let address: String
        let isHome: Bool
        let clients: [OnlineClient]
    }

    struct Online: Encodable {
        let servers: [OnlineServer]
        /// Every nickname set locally (also for people offline now), by fingerprint.
        let nicknames: [String: String]
        /// When the home server last sent the list (seconds since 1970), nil before the first one.
        let refreshedAt: Double?
    }

    struct Send: Decodable {
        /// `public` or `chat`.
        let kind: String
        let text: String
        let to: [String]?
        let file: FileLink?
    }

    struct Nickname: Decodable {
        let fingerprint: String
        let nickname: String?
    }

    struct Messages: Encodable {
        let conversation: String
        let messages: [MessageRecord]
    }

    struct Conversations: Encodable {
        let conversations: [ConversationRecord]
    }

    struct Uploaded: Encodable {
        let file_url: String
        let name: String
        let size: Int64
    }

    struct Ok: Encodable {
        let ok = true
    }

    /// One live update on the events socket.
    struct Event: Encodable {
        let type: String
        var message: MessageRecord? = nil
        var connection: ConnectionStatus? = nil
        var reason: String? = nil
        /// For `list_refreshed`: when the list arrived (seconds since 1970).
        var refreshedAt: Double? = nil
    }
}
