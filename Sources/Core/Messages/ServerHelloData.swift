/// `server_hello`: a server's first message on a neighbourhood link, signed with the server's key.
public struct ServerHelloData: WireMessage, Equatable {
    public static let typeName = "server_hello"
    /// The sender's address as written on the wire.
    public let sender: String
    /// The parsed, comparable form of `sender`.
    public let address: ServerAddress

    /// `sender` is the address as its operator spelled it (interop rules 8 and 12).
    public init(sender address: ServerAddress) {
        self.sender = address.spelling
        self.address = address
    }

    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        let reader = FieldReader(object, prefix: "data.")
        sender = try reader.string("sender", maxBytes: limits.maxAddressBytes)
        address = try FieldReader.parseAddress(sender, field: "data.sender", limits: limits)
    }

    public var wireObject: JSONObject { ["type": .string(Self.typeName), "sender": .string(sender)] }
}
