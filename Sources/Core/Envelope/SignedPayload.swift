/// The inner `data` object of a `signed_data` envelope.
public enum SignedPayload: Sendable, Equatable {
    case hello(HelloData)
    case chat(ChatData)
    case publicChat(PublicChatData)
    case serverHello(ServerHelloData)

    /// The `type` of the inner object.
    public var typeName: String {
        switch self {
        case .hello: HelloData.typeName
        case .chat: ChatData.typeName
        case .publicChat: PublicChatData.typeName
        case .serverHello: ServerHelloData.typeName
        }
    }

    /// The inner object in protocol field order.
    public var wireObject: JSONObject {
        switch self {
        case .hello(let data): data.wireObject
        case .chat(let data): data.wireObject
        case .publicChat(let data): data.wireObject
        case .serverHello(let data): data.wireObject
        }
    }

    /// Reads an inner `data` object by its `type`.
    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        let type = try FieldReader(object, prefix: "data.").string("type", maxBytes: 64)
        switch type {
        case HelloData.typeName: self = .hello(try HelloData(wire: object, limits: limits))
        case ChatData.typeName: self = .chat(try ChatData(wire: object, limits: limits))
        case PublicChatData.typeName: self = .publicChat(try PublicChatData(wire: object, limits: limits))
        case ServerHelloData.typeName: self = .serverHello(try ServerHelloData(wire: object, limits: limits))
        default: throw .unknownMessageType(type)
        }
    }
}
