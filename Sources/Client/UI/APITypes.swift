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
    }
}
