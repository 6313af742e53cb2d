import Core
import Logging
import NIOCore
import Synchronization

/// The shared state of the abuse limits: open connections per address, hello and upload rates per address,
/// each neighbour's inbound frame rate, and how often each limit refused something. Reads the limits in
/// force at each use, so a reload applies at once.
public final class AbuseGuard: Sendable {
    let settings: LiveSettings
    /// How often each limit refused something.
    public let refusals = LimitCounters()
    let connections = ConnectionTracker()
    private let hellos = AddressRateTable()
    private let uploads = AddressRateTable()
    /// Uploads in progress per address (an entry only while one is: bounded by the connections).
    private let uploadsInProgress = Mutex<[PeerAddressKey: Int]>([:])
    private let neighbourGates = Mutex<[ServerAddress: NeighbourRateGate]>([:])
    private let logger: Logger

    init(settings: LiveSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    private var limits: AbuseLimits { settings.limits.abuse }

    /// Registers a new connection from `address` (see `ConnectionTracker`).
    func connectionOpened(from address: SocketAddress?, channel: ObjectIdentifier) -> ConnectionTracker.Admission {
        let key = PeerAddressKey(address)
        let admission = connections.opened(key, channel: channel, limit: limits.maxConnectionsPerAddress)
        if admission != .admitted {
            refusals.record(.connectionsPerAddress)
            logger.debug(
                "connection over the per-address limit",
                metadata: ["address": "\(key)", "action": "\(admission)"])
        }
        return admission
    }

    func connectionClosed(
        from address: SocketAddress?, channel: ObjectIdentifier, admission: ConnectionTracker.Admission
    ) {
        connections.closed(PeerAddressKey(address), channel: channel, admission: admission)
    }

    /// Whether the connection on `channel` is over the per-address limit and must be refused.
    func isOverConnectionLimit(_ channel: any Channel) -> Bool { connections.isRefused(ObjectIdentifier(channel)) }

    /// Takes one hello from `address`; false (and counted) when it is over its rate.
    func allowHello(from address: SocketAddress?) -> Bool {
        let limits = self.limits
        let allowed = hellos.take(
            PeerAddressKey(address), rate: limits.hellosPerMinutePerAddress / 60, burst: limits.helloBurstPerAddress,
            capacity: limits.maxTrackedAddresses)
        if !allowed { refusals.record(.hellosPerAddress) }
        return allowed
    }

    /// Registers an upload in progress from `address`; false (and counted) when `max_uploads_in_progress_per_ip`
    /// are already. Every true is paired with one `uploadEnded(from:)`.
    func uploadStarted(from address: SocketAddress?) -> Bool {
        let key = PeerAddressKey(address)
        let limit = limits.maxUploadsInProgressPerAddress
        let started = uploadsInProgress.withLock { counts in
            guard counts[key, default: 0] < limit else { return false }
            counts[key, default: 0] += 1
            return true
        }
        if !started { refusals.record(.uploadsInProgressPerAddress) }
        return started
    }

    /// Ends an upload registered by `uploadStarted(from:)`.
    func uploadEnded(from address: SocketAddress?) {
        let key = PeerAddressKey(address)
        uploadsInProgress.withLock { counts in
            let remaining = counts[key, default: 1] - 1
            counts[key] = remaining > 0 ? remaining : nil
        }
    }

    /// Takes one upload from `address`; false (and counted) when it is over its rate.
    func allowUpload(from address: SocketAddress?) -> Bool {
        let limits = self.limits
        let allowed = uploads.take(
            PeerAddressKey(address), rate: limits.uploadsPerMinutePerAddress / 60,
            burst: limits.uploadBurstPerAddress, capacity: limits.maxTrackedAddresses)
        if !allowed { refusals.record(.uploadsPerAddress) }
        return allowed
    }

    /// Judges one inbound frame from `neighbour` against its rate (shared by all its links).
    func admitNeighbourFrame(from neighbour: ServerAddress) -> NeighbourRateGate.Verdict {
        let gate = neighbourGates.withLock { gates in
            if let gate = gates[neighbour] { return gate }
            let gate = NeighbourRateGate()
            gates[neighbour] = gate
            return gate
        }
        let verdict = gate.admit(limits: limits)
        switch verdict {
        case .accept: break
        case .drop: refusals.record(.neighbourRate)
        case .close:
            refusals.record(.neighbourRate)
            refusals.record(.neighbourFlood)
        }
        return verdict
    }

    /// Counts a frame refused for a JSON cap (depth, string length, element count) in `counters`; false for
    /// other errors.
    @discardableResult
    static func countJSONLimit(_ error: ProtocolError, in counters: LimitCounters) -> Bool {
        guard case .malformedJSON(let json) = error else { return false }
        switch json {
        case .tooDeep: counters.record(.jsonDepth)
        case .stringTooLong, .tooManyElements, .inputTooLarge: counters.record(.jsonSize)
        default: return false
        }
        return true
    }

    /// Connections open now, over all addresses.
    public var openConnections: Int { connections.openConnections }

    /// Addresses remembered by the hello and upload rate tables.
    public var trackedRateAddresses: Int { hellos.trackedCount + uploads.trackedCount }
}

extension SignedPayload {
    /// A `hello` or `server_hello`: the messages counted by the per-address hello rate.
    var isHello: Bool {
        switch self {
        case .hello, .serverHello: true
        case .chat, .publicChat: false
        }
    }
}

extension ProtocolError {
    /// A `client_update` refused whole: more keys than `max_clients_per_server`, or a key that is not a valid
    /// RSA public key (the update is strict, so the neighbour's previous list stays in force).
    var isRejectedClientUpdate: Bool {
        switch self {
        case .tooMany(let field, _, _), .tooLong(let field, _, _), .invalidPublicKey(let field, _),
            .wrongType(let field, _, _):
            return field == "clients"
        default:
            return false
        }
    }
}
