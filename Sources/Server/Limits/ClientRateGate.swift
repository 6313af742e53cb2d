import Core
import HummingbirdWebSocket
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

    /// Charges `message`; nil when it may be handled, else the reason to close the connection with (1008).
    mutating func refusal(for message: WebSocketMessage) -> String? {
        guard messages.take() else {
            refusals.record(.messageRate)
            return "message rate limit exceeded"
        }
        guard bytes.take(Double(message.byteCount)) else {
            refusals.record(.byteRate)
            return "byte rate limit exceeded"
        }
        return nil
    }
}

extension WebSocketMessage {
    /// Payload size in bytes.
    var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let buffer): buffer.readableBytes
        }
    }
}
