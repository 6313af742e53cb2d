import Core
import Dispatch
import NIOCore
import OlafCrypto
import Synchronization

/// Pre-signed benchmark frames. Counters encode who sent what: key `k` signs its hello with counter
/// `(k + 1) * 10⁹` and its message `m` with `(k + 1) * 10⁹ + 1 + m`, so a receiver identifies every frame
/// from its `"counter":` digits alone.
public enum MessageFactory {
    static let counterStride: UInt64 = 1_000_000_000

    static func counter(key: Int, message: Int?) -> UInt64 {
        UInt64(key + 1) * counterStride + (message.map { UInt64($0) + 1 } ?? 0)
    }

    /// (key index, message index) of a message counter; nil for a hello counter.
    static func decode(counter: UInt64) -> (key: Int, message: Int)? {
        let low = counter % counterStride
        guard low > 0, counter >= counterStride else { return nil }
        return (Int(counter / counterStride) - 1, Int(low - 1))
    }

    /// The `message` text of message `m`: 100 bytes, beginning with `olaf-bench m=`.
    static func text(_ message: Int) -> String {
        let head = "olaf-bench m=\(message) "
        return head + String(repeating: "x", count: max(0, 100 - head.utf8.count))
    }

    /// The masked WebSocket frame of key `index`'s hello.
    static func hello(key: RSAPrivateKey, index: Int) throws -> ByteBuffer {
        let envelope = try SignedEnvelope.sign(
            .hello(HelloData(publicKey: key.publicKey)), counter: counter(key: index, message: nil), with: key)
        return WebSocketWire.clientFrame(Array(OlafMessage.signed(envelope).text.utf8))
    }

    /// What senders send.
    public enum Kind: String, Sendable, CaseIterable {
        case publicChat = "public_chat"
        case chat
    }

    /// `count` messages for each sender, signed in parallel on every core. For `chat`, each message is sealed
    /// to all `recipients` (one `destination_servers` entry each).
    static func messages(
        kind: Kind, senders: [(index: Int, key: RSAPrivateKey)], count: Int, recipients: [ChatRecipient]
    ) throws -> [[ByteBuffer]] {
        let total = senders.count * count
        let frames = Mutex([[ByteBuffer]](repeating: [], count: senders.count))
        frames.withLock { all in
            for index in all.indices { all[index] = [ByteBuffer](repeating: ByteBuffer(), count: count) }
        }
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: total) { item in
            let (senderPosition, message) = item.quotientAndRemainder(dividingBy: count)
            let sender = senders[senderPosition]
            do {
                let payload: SignedPayload
                switch kind {
                case .publicChat:
                    payload = .publicChat(
                        PublicChatData(sender: sender.key.publicKey.fingerprint, message: text(message)))
                case .chat:
                    payload = .chat(try ChatCipher.seal(text(message), from: sender.key.publicKey, to: recipients))
                }
                let envelope = try SignedEnvelope.sign(
                    payload, counter: counter(key: sender.index, message: message), with: sender.key)
                let frame = WebSocketWire.clientFrame(Array(OlafMessage.signed(envelope).text.utf8))
                frames.withLock { $0[senderPosition][message] = frame }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        if let message = failure.withLock({ $0 }) { throw BenchError.verificationFailed("signing: \(message)") }
        return frames.withLock { $0 }
    }
}
