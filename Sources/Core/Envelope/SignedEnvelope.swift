public import OlafCrypto

/// A `signed_data` envelope: the inner object as a JSON string, a counter, and an RSA-PSS signature over
/// `UTF-8(data) || decimal(counter)`.
public struct SignedEnvelope: Sendable, Equatable {
    /// The `data` string exactly as received (or as we serialised it when signing). Signatures cover these bytes.
    public let dataString: String
    public let counter: UInt64
    /// The 256-byte RSA-PSS signature.
    public let signature: [UInt8]
    /// `dataString` parsed and validated.
    public let payload: SignedPayload
    /// Where `dataString` came from, which decides whether a signature over it can mean anything.
    public let dataSource: DataSource

    /// How the envelope's `data` arrived.
    public enum DataSource: Sendable, Equatable {
        /// `data` was a string: `dataString` is exactly the received text (or what we signed).
        case received
        /// `data` was a JSON object, re-serialised compactly only to pass it on (interop rule 3): never verifiable.
        case objectForRelay
        /// `data` was a JSON object, re-serialised in Python's `json.dumps` layout, the layout every sender signs
        /// (interop rules 2 and 14): verifiable, and it verifies only if that layout reproduces the signed bytes.
        case objectAsPython
    }

    /// True when `data` arrived as a JSON object (v1.1 layout, or a server that relays it so).
    public var dataWasObject: Bool { dataSource != .received }

    /// Signs `payload` with `key`: the data string is serialised in Python's `json.dumps` layout (interop rule 2).
    public static func sign(_ payload: SignedPayload, counter: UInt64, with key: RSAPrivateKey)
        throws(CryptoError) -> SignedEnvelope
    {
        let dataString = JSONWriter.python(.object(payload.wireObject))
        let signature = try key.signPSS(sha256Digest: signedDigest(data: dataString, counter: counter))
        return SignedEnvelope(
            dataString: dataString, counter: counter, signature: signature, payload: payload, dataSource: .received)
    }

    init(dataString: String, counter: UInt64, signature: [UInt8], payload: SignedPayload, dataSource: DataSource) {
        self.dataString = dataString
        self.counter = counter
        self.signature = signature
        self.payload = payload
        self.dataSource = dataSource
    }

    /// SHA-256 of the signed bytes: the UTF-8 of `data` immediately followed by the counter's decimal digits.
    public static func signedDigest(data: String, counter: UInt64) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(utf8: data)
        hasher.update(utf8: String(counter))
        return hasher.finish()
    }

    /// Whether the signature verifies under `key` over the data string exactly as received, or (for object data
    /// decoded with `.verifyAsPython`) over its Python `json.dumps` re-serialisation. Object data kept only for
    /// relaying never verifies.
    public func isSigned(by key: RSAPublicKey) -> Bool {
        dataSource != .objectForRelay
            && key.isValidPSSSignature(signature, sha256Digest: Self.signedDigest(data: dataString, counter: counter))
    }

    /// Throws `dataNotString` for object data kept only for relaying, and `badSignature` unless signed by `key`.
    public func verifySignature(with key: RSAPublicKey) throws(ProtocolError) {
        if dataSource == .objectForRelay { throw .dataNotString }
        guard isSigned(by: key) else { throw .badSignature }
    }

    /// The envelope as a JSON object: `type`, `data`, `counter`, `signature`.
    public var frameObject: JSONObject {
        [
            "type": .string(OlafMessage.signedDataType),
            "data": .string(dataString),
            "counter": .number(String(counter)),
            "signature": .string(Base64.encode(signature)),
        ]
    }
}
