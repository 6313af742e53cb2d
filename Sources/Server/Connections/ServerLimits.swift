public import Core

/// Connection-level limits of the relay (the protocol-level caps live in `ProtocolLimits`).
public struct ServerLimits: Sendable, Equatable {
    /// Field and frame caps for everything we parse.
    public var protocolLimits: ProtocolLimits
    /// Most clients connected at once; further hellos are refused with 1013 (try again later).
    public var maxClients: Int
    /// Sustained messages per second a client may send (token bucket).
    public var messagesPerSecondPerClient: Double
    /// Burst a client may send above the sustained rate.
    public var messageBurstPerClient: Double
    /// Bytes that may wait for one client (queued, or written but not yet taken by its socket) before it counts
    /// as too slow and is disconnected: what one silent reader can pin in memory.
    public var outboxBytes: Int
    /// The same for our dialled link to a neighbour, which carries what all our clients send: a burst the
    /// neighbour reads without trouble must not cost the whole link (and its list) as a "slow consumer". Also
    /// what a neighbour's link may have waiting for us to process.
    public var neighbourOutboxBytes: Int
    /// Answers to `client_list_request` per second per client; requests beyond it are answered together, once
    /// the interval has passed (a list can be megabytes: each answer must cost the asker time).
    public var listAnswersPerSecond: Double
    /// The shortest time between two answers to one client's `client_list_request`.
    public var listAnswerInterval: Duration { .milliseconds(Int64(1000 / max(listAnswersPerSecond, 0.001))) }
    /// How long an HTTP connection may stay silent (between requests, or in the middle of an upload's body)
    /// before it is closed; an aborted upload gives its share of the quota back. Applies at start.
    public var httpIdleTimeout: Duration = .seconds(30)
    /// How long a new connection has to send its first message.
    public var helloTimeout: Duration
    /// Per-address and per-link abuse limits (connections, hellos, bytes, neighbour frames, uploads).
    public var abuse: AbuseLimits

    public init(
        protocolLimits: ProtocolLimits = .default, maxClients: Int = 20_000, messagesPerSecondPerClient: Double = 5,
        messageBurstPerClient: Double = 60, listAnswersPerSecond: Double = 2,
        outboxBytes: Int = 8 << 20, neighbourOutboxBytes: Int = 64 << 20, helloTimeout: Duration = .seconds(10),
        abuse: AbuseLimits = AbuseLimits()
    ) {
        self.protocolLimits = protocolLimits
        self.maxClients = maxClients
        self.messagesPerSecondPerClient = messagesPerSecondPerClient
        self.messageBurstPerClient = messageBurstPerClient
        self.listAnswersPerSecond = listAnswersPerSecond
        self.outboxBytes = outboxBytes
        self.neighbourOutboxBytes = neighbourOutboxBytes
        self.helloTimeout = helloTimeout
        self.abuse = abuse
    }
}
