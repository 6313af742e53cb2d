public import Core
public import NIOSSL

/// How a `ClientEngine` reaches its home server.
public struct EngineConfiguration: Sendable {
    /// The home server (`ws://` unless written `wss://` / `https://`).
    public var home: ServerAddress
    /// Caps on what we accept and send.
    public var limits: ProtocolLimits
    /// TLS settings for `wss://` (nil: the system's trust roots).
    public var tls: TLSConfiguration?
    /// First and longest wait between reconnection attempts.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// Own counters reserved in the store per write, so a crash never reuses one.
    public var counterBlock: UInt64
    /// Received frames from senders not yet listed that wait for the next client list.
    public var maxPendingFrames: Int
    /// How long the WebSocket handshake with the home server may take before the attempt is abandoned.
    public var handshakeTimeout: Duration

    public init(
        home: ServerAddress, limits: ProtocolLimits = .default, tls: TLSConfiguration? = nil,
        initialBackoff: Duration = .milliseconds(250), maximumBackoff: Duration = .seconds(30),
        counterBlock: UInt64 = 32, maxPendingFrames: Int = 64, handshakeTimeout: Duration = .seconds(10)
    ) {
        self.home = home
        self.limits = limits
        self.tls = tls
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.counterBlock = max(1, counterBlock)
        self.maxPendingFrames = maxPendingFrames
        self.handshakeTimeout = handshakeTimeout
    }
}
