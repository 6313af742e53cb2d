public import OlafCrypto

/// `hello`: a client's first message, signed by the key it announces.
public struct HelloData: WireMessage, Equatable {
    public static let typeName = "hello"
    /// The client's public key (any PEM layout accepted; emitted canonical).
    public let publicKey: RSAPublicKey

    public init(publicKey: RSAPublicKey) { self.publicKey = publicKey }

    public init(wire object: JSONObject, limits: ProtocolLimits) throws(ProtocolError) {
        publicKey = try FieldReader(object, prefix: "data.").publicKey("public_key", limits: limits)
    }

    public var wireObject: JSONObject {
        ["type": .string(Self.typeName), "public_key": .string(publicKey.canonicalPEM)]
    }
}
