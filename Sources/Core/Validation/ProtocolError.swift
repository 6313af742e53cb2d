public import OlafCrypto

/// Why a frame or message was refused. Each case names the offending field so a log line or a close
/// reason tells the peer's developer exactly what to fix. Never contains key material or message text.
public enum ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(JSONError)
    case frameTooLarge(limit: Int, actual: Int)
    case notAnObject(field: String)
    case missingField(String)
    case wrongType(field: String, expected: String, actual: String)
    case unknownMessageType(String)
    /// A valid message in a place where it is not allowed (e.g. `chat` as a client's first message).
    case unexpectedMessage(expected: String, actual: String)
    case invalidBase64(field: String)
    case invalidLength(field: String, expected: String, actual: Int)
    case empty(field: String)
    case tooLong(field: String, limit: Int, actual: Int)
    case tooMany(field: String, limit: Int, actual: Int)
    case invalidCounter(String)
    case invalidPublicKey(field: String, reason: CryptoError)
    case invalidAddress(field: String, reason: AddressError)
    /// `data` was a JSON object (v1.1 layout) where a signed string is required.
    case dataNotString
    case badSignature
    case replayedCounter(last: UInt64, received: UInt64)
    /// A public_chat whose `sender` is not the fingerprint of the key that signed it.
    case senderMismatch
    /// No `symm_keys` entry opened under our key, or the ciphertext did not authenticate.
    case notForUs
    /// The chat opened but our fingerprint is not among its participants.
    case notAParticipant
    /// A cryptographic step failed while building a message (e.g. the random source).
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .malformedJSON(let error): "malformed JSON: \(error)"
        case .frameTooLarge(let limit, let actual): "frame of \(actual) bytes exceeds the limit of \(limit) bytes"
        case .notAnObject(let field): "\(field) must be a JSON object"
        case .missingField(let field): "missing field \"\(field)\""
        case .wrongType(let field, let expected, let actual): "field \"\(field)\" must be \(expected), not \(actual)"
        case .unknownMessageType(let type): "unknown message type \"\(type.prefix(64))\""
        case .unexpectedMessage(let expected, let actual): "expected \(expected), got \"\(actual.prefix(64))\""
        case .invalidBase64(let field): "field \"\(field)\" is not padded standard base64"
        case .invalidLength(let field, let expected, let actual):
            "field \"\(field)\" must be \(expected), got \(actual) bytes"
        case .empty(let field): "field \"\(field)\" must not be empty"
        case .tooLong(let field, let limit, let actual): "field \"\(field)\" is \(actual) bytes; the limit is \(limit)"
        case .tooMany(let field, let limit, let actual):
            "field \"\(field)\" has \(actual) entries; the limit is \(limit)"
        case .invalidCounter(let why): "invalid counter: \(why)"
        case .invalidPublicKey(let field, let reason): "field \"\(field)\": \(reason)"
        case .invalidAddress(let field, let reason): "field \"\(field)\": \(reason)"
        case .dataNotString: "\"data\" must be a string holding JSON (protocol v1.2), not an object"
        case .badSignature: "signature does not verify over data followed by the counter digits"
        case .replayedCounter(let last, let received):
            "counter \(received) is not greater than the last accepted \(last)"
        case .senderMismatch: "public_chat sender is not the fingerprint of the signing key"
        case .notForUs: "chat is not encrypted to this key"
        case .notAParticipant: "our fingerprint is not among the chat participants"
        case .crypto(let error): "\(error)"
        }
    }
}
