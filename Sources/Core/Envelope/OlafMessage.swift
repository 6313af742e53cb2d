/// One message of the protocol, decoded (what one WebSocket text message carries).
public enum OlafMessage: Sendable, Equatable {
    case signed(SignedEnvelope)
    case clientListRequest(ClientListRequest)
    case clientList(ClientList)
    case clientUpdate(ClientUpdate)
    case clientUpdateRequest(ClientUpdateRequest)

    /// The outer `type` of signed envelopes.
    public static let signedDataType = "signed_data"

    /// The frame's outer `type` (`signed_data` for envelopes).
    public var typeName: String {
        switch self {
        case .signed: Self.signedDataType
        case .clientListRequest: ClientListRequest.typeName
        case .clientList: ClientList.typeName
        case .clientUpdate: ClientUpdate.typeName
        case .clientUpdateRequest: ClientUpdateRequest.typeName
        }
    }

    /// The frame as JSON text (compact layout, ready to send).
    public var text: String {
        switch self {
        case .signed(let envelope): JSONWriter.compact(.object(envelope.frameObject))
        case .clientListRequest(let message): JSONWriter.compact(.object(message.wireObject))
        case .clientList(let message): JSONWriter.compact(.object(message.wireObject))
        case .clientUpdate(let message): JSONWriter.compact(.object(message.wireObject))
        case .clientUpdateRequest(let message): JSONWriter.compact(.object(message.wireObject))
        }
    }
}
