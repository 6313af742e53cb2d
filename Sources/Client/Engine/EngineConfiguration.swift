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
    /// How often the client list is asked for again while a UI is attached (interop rule 10: many servers only
    /// answer `client_list_request` and never push a list).
    public var listRefreshInterval: Duration
    /// How often it is asked for when no UI is attached; nil: only when a UI attaches or a send needs it.
    public var idleListRefreshInterval: Duration?
    /// How long a send to someone not in the list waits for the answer to one more list request before failing.
    public var listRefreshBeforeFailing: Duration
    /// Where the home server's file API lives (nil: on the home server's own host and port).
    public var fileAPI: FileAPIBase?
    /// RSA private-key operations per second that opening received chats may cost (`ChatOpeningBudget`).
    public var chatOpeningOperationsPerSecond: Double = 256
    /// Most contacts kept (`ClientStore.pruneContacts`; those with a nickname or a conversation always stay).
    public var maxContacts = 5_000
    /// Bytes we may have queued for the home server and not yet written to its socket before it counts as not
    /// reading (the connection is dropped and redialled rather than growing without bound).
    public var outboxBytes = 8 << 20
    /// Bytes received and not yet handled before the home server counts as sending faster than we can process.
    public var inboxBytes = 64 << 20
    /// How long a contact nobody needs is kept after it was last listed.
    public var forgetContactsUnseenFor: Duration = .seconds(30 * 24 * 3600)

    public init(
        home: ServerAddress, limits: ProtocolLimits = .default, tls: TLSConfiguration? = nil,
        initialBackoff: Duration = .milliseconds(250), maximumBackoff: Duration = .seconds(30),
        counterBlock: UInt64 = 32, maxPendingFrames: Int = 64, handshakeTimeout: Duration = .seconds(10),
        listRefreshInterval: Duration = .seconds(5), idleListRefreshInterval: Duration? = .seconds(60),
        listRefreshBeforeFailing: Duration = .seconds(2), fileAPI: FileAPIBase? = nil
    ) {
        self.home = home
        self.limits = limits
        self.tls = tls
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.counterBlock = max(1, counterBlock)
        self.maxPendingFrames = maxPendingFrames
        self.handshakeTimeout = handshakeTimeout
        // At least 100 ms: a zero interval would turn the refresh loop into a busy loop.
        self.listRefreshInterval = max(listRefreshInterval, .milliseconds(100))
        self.idleListRefreshInterval = idleListRefreshInterval.map { max($0, .milliseconds(100)) }
        self.listRefreshBeforeFailing = listRefreshBeforeFailing
        self.fileAPI = fileAPI
    }

    /// The file API the uploader talks to: the configured one, else the home server's own HTTP base.
    public var effectiveFileAPI: FileAPIBase { fileAPI ?? FileAPIBase(home: home) }
}
