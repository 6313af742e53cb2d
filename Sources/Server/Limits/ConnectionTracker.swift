import Synchronization

/// Counts open connections per address. A connection over the limit is still let in to be refused politely
/// (1008 on a WebSocket, 429 on HTTP), but only a few at a time per address: beyond `refusalSlots` a new
/// connection is dropped at once, so a connection flood costs no more than closing sockets.
final class ConnectionTracker: Sendable {
    /// What happens to a new connection.
    enum Admission: Sendable {
        /// Under the limit: served normally.
        case admitted
        /// Over the limit: served only to be refused with a clear message.
        case refused
        /// Far over the limit: closed without a word.
        case dropped
    }

    /// Connections per address that may be in the middle of being refused politely.
    static let refusalSlots = 8

    private struct State {
        var open: [PeerAddressKey: Int] = [:]
        var refusing: [PeerAddressKey: Int] = [:]
        var refusedChannels: Set<ObjectIdentifier> = []
    }

    private let state = Mutex(State())

    /// Registers a new connection from `key`; `limit` 0 means no limit. Every call that does not return
    /// `dropped` must be matched by exactly one `closed` with the same arguments.
    func opened(_ key: PeerAddressKey, channel: ObjectIdentifier, limit: Int) -> Admission {
        state.withLock { state in
            if limit <= 0 || state.open[key, default: 0] < limit {
                state.open[key, default: 0] += 1
                return .admitted
            }
            guard state.refusing[key, default: 0] < Self.refusalSlots else { return .dropped }
            state.refusing[key, default: 0] += 1
            state.refusedChannels.insert(channel)
            return .refused
        }
    }

    /// Unregisters a connection registered by `opened` (when its channel closes).
    func closed(_ key: PeerAddressKey, channel: ObjectIdentifier, admission: Admission) {
        state.withLock { state in
            switch admission {
            case .admitted:
                let remaining = state.open[key, default: 1] - 1
                state.open[key] = remaining > 0 ? remaining : nil
            case .refused:
                let remaining = state.refusing[key, default: 1] - 1
                state.refusing[key] = remaining > 0 ? remaining : nil
                state.refusedChannels.remove(channel)
            case .dropped:
                break
            }
        }
    }

    /// Whether the connection on `channel` was let in only to be refused.
    func isRefused(_ channel: ObjectIdentifier) -> Bool { state.withLock { $0.refusedChannels.contains(channel) } }

    /// Connections open now (admitted and being refused), over all addresses.
    var openConnections: Int {
        state.withLock { $0.open.values.reduce(0, +) + $0.refusing.values.reduce(0, +) }
    }

    /// Admitted connections open now from `key`.
    func openConnections(from key: PeerAddressKey) -> Int { state.withLock { $0.open[key, default: 0] } }

    /// Addresses with at least one connection open.
    var trackedAddresses: Int { state.withLock { Set($0.open.keys).union($0.refusing.keys).count } }
}
