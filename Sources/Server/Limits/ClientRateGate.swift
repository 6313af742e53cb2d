import Core
import NIOCore

/// The per-client rate limits, checked for every message after `hello`: messages per second and bytes per
/// second (token buckets). Returns the close reason once a client is over either.
struct ClientRateGate {
    private var messages: TokenBucket
    private var bytes: TokenBucket
    private let refusals: LimitCounters

    init(limits: ServerLimits, refusals: LimitCounters) {
        messages = TokenBucket(rate: limits.messagesPerSecondPerClient, burst: limits.messageBurstPerClient)
        // A burst smaller than one largest frame would refuse a legitimate frame outright.
        bytes = TokenBucket(
            rate: limits.abuse.bytesPerSecondPerClient,
            burst: max(limits.abuse.byteBurstPerClient, Double(limits.protocolLimits.maxFrameBytes)))
        self.refusals = refusals
    }

    /// `symm_keys` entries a chat carries at the price of one message; each `keysPerMessage` more cost one more.
    static let keysPerMessage = 4

    /// Charges a `chat` with `keys` entries in `symm_keys` on top of the message itself: every entry can cost
    /// each receiving client one RSA private-key operation, so many-key chats use up the rate sooner (a 32-key
    /// chat costs 8 messages). Nil when it may be routed, else the reason to close the connection with (1008).
    mutating func refusal(forChatWithKeys keys: Int) -> String? {
        let extra = Double(max(0, keys - Self.keysPerMessage)) / Double(Self.keysPerMessage)
        guard extra > 0 else { return nil }
        guard messages.take(extra) else {
            refusals.record(.messageRate)
            return "message rate limit exceeded (a chat to many recipients counts as several messages)"
        }
        return nil
    }

    /// Charges a message of `byteCount` bytes; nil when it may be handled, else the reason to close the
    /// connection with (1008).
    mutating func refusal(forMessageOfBytes byteCount: Int) -> String? {
        guard messages.take() else {
            refusals.record(.messageRate)
            return "message rate limit exceeded"
        }
        guard bytes.take(Double(byteCount)) else {
            refusals.record(.byteRate)
            return "byte rate limit exceeded"
        }
        return nil
    }
}
