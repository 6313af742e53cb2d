import Core
import OlafCrypto

/// Fully checks received benchmark frames with Core, as a real client would: parse both JSON layers, verify
/// the RSA-PSS signature with the sender's key, and (for `chat`) decrypt with the receiver's key.
enum SampleVerifier {
    /// Throws `verificationFailed` with the reason for the first sample that does not check out.
    static func verify(_ text: String, receiver: RSAPrivateKey, keys: [RSAPrivateKey]) throws {
        guard case .signed(let envelope) = try OlafMessageDecoder.decode(text),
            let (index, message) = MessageFactory.decode(counter: envelope.counter), keys.indices.contains(index)
        else { throw BenchError.verificationFailed("not a benchmark envelope: \(text.prefix(120))") }
        let sender = keys[index].publicKey
        switch envelope.payload {
        case .publicChat(let chat):
            guard envelope.isSigned(by: sender) else { throw BenchError.verificationFailed("bad signature") }
            guard chat.sender == sender.fingerprint, chat.message == MessageFactory.text(message) else {
                throw BenchError.verificationFailed("public_chat content differs from what was sent")
            }
        case .chat(let chat):
            let opened = try ChatCipher.open(chat, with: receiver)
            try opened.checkSigned(envelope, by: sender)
            guard opened.message == MessageFactory.text(message) else {
                throw BenchError.verificationFailed("chat text differs from what was sent")
            }
        default:
            throw BenchError.verificationFailed("unexpected payload \(envelope.payload.typeName)")
        }
    }
}
