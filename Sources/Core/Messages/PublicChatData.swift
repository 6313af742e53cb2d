/// `public_chat`: a plaintext broadcast to the whole neighbourhood.
public struct PublicChatData: WireMessage, Equatable {
    public static let typeName = "public_chat"
    /// The sender's fingerprint as written by the sender (checked against the signer with `SenderFingerprints`).
    public let sender: String
    public let message: String

    public init(sender: String, message: String) {
        self.sender = sender
        self.message = message
    }

    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        let reader = FieldReader(object, prefix: "data.")
        sender = try reader.nonEmptyString("sender", maxBytes: limits.maxFingerprintBytes)
        message = try reader.string("message", maxBytes: limits.maxMessageBytes)
    }

    public var wireObject: JSONObject {
        ["type": .string(Self.typeName), "sender": .string(sender), "message": .string(message)]
    }
}
