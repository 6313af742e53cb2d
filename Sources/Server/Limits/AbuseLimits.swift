/// Limits against one abusive address, client or neighbour (issue 7, "abuse limits"). Every one is a key under
/// `[limits]` in olafd.toml, reloadable, and counted in `olaf_limit_refusals_total{limit=...}`. Addresses are
/// IPv4 addresses or IPv6 /64 prefixes (see `PeerAddressKey`); loopback is not exempt.
public struct AbuseLimits: Sendable, Equatable {
    /// Most concurrent TCP connections (WebSocket or HTTP) from one address; 0 means no limit. Over it a
    /// WebSocket is closed with 1008 and an HTTP request gets 429; a flood far over it is dropped at once.
    public var maxConnectionsPerAddress: Int
    /// Sustained `hello` / `server_hello` attempts per minute from one address, counted before the signature
    /// check, and the burst allowed above it. Over it: close 1008.
    public var hellosPerMinutePerAddress: Double
    public var helloBurstPerAddress: Double
    /// Sustained bytes per second one client may send, and the burst (never less than one largest frame).
    /// Over it: close 1008.
    public var bytesPerSecondPerClient: Double
    public var byteBurstPerClient: Double
    /// Frames per second accepted from one neighbour (all its links together), and the burst. Excess frames
    /// are dropped and counted (`neighbour_rate_limited`).
    public var neighbourFramesPerSecond: Double
    public var neighbourFrameBurst: Double
    /// A neighbour that stays over its rate this long (no second without a dropped frame) has the link it
    /// floods closed with 1008.
    public var neighbourFloodCloseAfter: Duration
    /// Sustained uploads per minute from one address, and the burst. Over it: 429.
    public var uploadsPerMinutePerAddress: Double
    public var uploadBurstPerAddress: Double
    /// Most uploads in progress at once from one address; over it: 429.
    public var maxUploadsInProgressPerAddress: Int
    /// Most addresses each per-address rate table remembers; idle entries are evicted first, and when every
    /// entry is busy, further addresses share one bucket (so a many-address flood cannot grow memory).
    public var maxTrackedAddresses: Int

    public init(
        maxConnectionsPerAddress: Int = 256, hellosPerMinutePerAddress: Double = 60,
        helloBurstPerAddress: Double = 20, bytesPerSecondPerClient: Double = 131_072,
        byteBurstPerClient: Double = 2_097_152, neighbourFramesPerSecond: Double = 5000,
        neighbourFrameBurst: Double = 20_000, neighbourFloodCloseAfter: Duration = .seconds(15),
        uploadsPerMinutePerAddress: Double = 60, uploadBurstPerAddress: Double = 30,
        maxUploadsInProgressPerAddress: Int = 4,
        maxTrackedAddresses: Int = 65_536
    ) {
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.hellosPerMinutePerAddress = hellosPerMinutePerAddress
        self.helloBurstPerAddress = helloBurstPerAddress
        self.bytesPerSecondPerClient = bytesPerSecondPerClient
        self.byteBurstPerClient = byteBurstPerClient
        self.neighbourFramesPerSecond = neighbourFramesPerSecond
        self.neighbourFrameBurst = neighbourFrameBurst
        self.neighbourFloodCloseAfter = neighbourFloodCloseAfter
        self.uploadsPerMinutePerAddress = uploadsPerMinutePerAddress
        self.uploadBurstPerAddress = uploadBurstPerAddress
        self.maxUploadsInProgressPerAddress = maxUploadsInProgressPerAddress
        self.maxTrackedAddresses = maxTrackedAddresses
    }
}
