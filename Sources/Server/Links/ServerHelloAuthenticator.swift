import Core
import Transport
import Foundation
import Logging
import NIOCore
import OlafCrypto

/// Authenticates a neighbour on one socket by its `server_hello`: on a connection it made to us, or on our own
/// dialled socket (which is not authenticated merely because we dialled the configured address, interop rule 7).
///
/// The claimed sender must be a configured neighbour (compared canonically), the signature must verify with that
/// neighbour's configured key, and the counter must be above the last one accepted from it. The source address
/// is not checked for an ordinary hello (neighbours behind NAT, proxies, or names that resolve elsewhere still
/// link): the key is what authenticates.
///
/// Counter resets (interop rule 13): several deployed servers restart their counter at 1. A hello whose counter
/// is not above the last one is still accepted, as a restart, when all of these hold:
/// - it arrived on a connection the neighbour made to us (never on our dialled socket: whoever answers at the
///   configured address could replay a captured hello there);
/// - that connection comes from an address the neighbour's configured host (or its dial URL's host) resolves to;
/// - no link of that neighbour is authenticated at that moment (a live neighbour never goes back);
/// - this exact signature was never accepted from it before: a fresh hello carries a new random PSS salt, a
///   replayed one is byte-for-byte the same (the last `ServerHelloSignatures.kept` signatures are persisted).
/// It is logged at warning level and counted (`neighbour_counter_resets` in `olafctl status`).
struct ServerHelloAuthenticator {
    let context: RelayContext

    /// Where the hello arrived.
    enum Origin {
        /// On a connection the peer opened to us, from this address.
        case inbound(from: SocketAddress?)
        /// On our own socket dialled to this neighbour.
        case dialled(ServerAddress)
    }

    /// Why a `server_hello` did not authenticate its socket; `description` is the close reason.
    enum Rejection: Error, CustomStringConvertible {
        case notANeighbour(ServerAddress)
        case notTheDialledNeighbour(claimed: ServerAddress, dialled: ServerAddress)
        case badSignature(ServerAddress)
        case replayed(String)
        case removed(ServerAddress)

        var description: String {
            switch self {
            case .notANeighbour(let address): "server_hello from \(address), which is not a configured neighbour"
            case .notTheDialledNeighbour(let claimed, let dialled):
                "server_hello names \(claimed), but this socket was dialled to \(dialled)"
            case .badSignature(let address):
                "server_hello does not verify with the key configured for \(address)"
            case .replayed(let reason): "replayed server_hello: \(reason)"
            case .removed(let address): "neighbour \(address) was removed or re-keyed"
            }
        }
    }

    /// Checks `envelope` and, when it holds, records the socket as an authenticated link of the neighbour.
    func authenticate(
        _ envelope: SignedEnvelope, claimed: ServerHelloData, origin: Origin, connection: ConnectionID,
        outbox: any PeerOutbox
    ) async throws(Rejection) -> Neighbour {
        let hub = context.hub
        guard let neighbour = await hub.neighbour(at: claimed.address) else { throw .notANeighbour(claimed.address) }
        if case .dialled(let dialled) = origin, dialled != neighbour.address {
            throw .notTheDialledNeighbour(claimed: claimed.address, dialled: dialled)
        }
        guard envelope.isSigned(by: neighbour.publicKey) else {
            context.statistics.dropped(.badSignature)
            throw .badSignature(neighbour.address)
        }
        let digest = Self.hex(SHA256Hasher.hash(envelope.signature))
        let admission: ServerHelloAdmission
        do {
            admission = try await admit(
                neighbour, claimed: claimed, counter: envelope.counter, digest: digest, origin: origin,
                connection: connection, outbox: outbox)
        } catch {
            switch error {
            case .notConfigured:
                throw .removed(neighbour.address)
            case .replayed(let reason):
                context.statistics.dropped(.replayedCounter)
                throw .replayed("\(reason)")
            case .notARestart(let reason, let why):
                context.statistics.dropped(.replayedCounter)
                throw .replayed("\(reason); not a restart: \(why)")
            }
        }
        let logger = context.logger.adding(["neighbour": "\(neighbour.address)"])
        do {
            if case .acceptedCounterReset(let previous) = admission {
                logger.warning(
                    "accepted a neighbour's server_hello counter reset (it restarted without its counter)",
                    metadata: ["previous": "\(previous)", "counter": "\(envelope.counter)"])
                // The store never lowers a counter by itself: replace the old value.
                try await context.store.deleteCounter(sender: neighbour.counterKey)
                try await context.store.saveCounters([neighbour.counterKey: envelope.counter])
            }
            try await context.store.recordServerHelloSignature(
                neighbour: neighbour.address.canonical, digest: digest, at: Date())
            try await context.store.markNeighbourSeen(address: neighbour.address.canonical, at: Date())
        } catch {
            logger.error("cannot record a neighbour's server_hello", metadata: ["error": "\(error)"])
        }
        return neighbour
    }

    /// The hub's counter check, then (for a counter that is not new) the reset conditions, checked outside the
    /// hub because they need the store and maybe a name lookup; the hub re-checks that no link is up.
    private func admit(
        _ neighbour: Neighbour, claimed: ServerHelloData, counter: UInt64, digest: String, origin: Origin,
        connection: ConnectionID, outbox: any PeerOutbox
    ) async throws(ServerHelloRefusal) -> ServerHelloAdmission {
        let hub = context.hub
        let name = claimed.address.spelling
        do {
            return try await hub.admitServerHello(
                neighbour, name: name, counter: counter, connection: connection, outbox: outbox, allowingReset: false)
        } catch {
            guard case .replayed(let reason) = error, case .inbound(let peer) = origin else { throw error }
            if let refusal = await resetRefusal(neighbour, digest: digest, peer: peer) {
                throw .notARestart(reason, why: refusal)
            }
            return try await hub.admitServerHello(
                neighbour, name: name, counter: counter, connection: connection, outbox: outbox, allowingReset: true)
        }
    }

    /// Why a counter that went backwards is not taken as the neighbour's restart, or nil when it may be.
    private func resetRefusal(_ neighbour: Neighbour, digest: String, peer: SocketAddress?) async -> String? {
        if await context.hub.hasAuthenticatedLink(neighbour.address) { return "a link is up" }
        let seen = (try? await context.store.hasSeenServerHelloSignature(
            neighbour: neighbour.address.canonical, digest: digest)) ?? true
        if seen { return "hello seen before" }
        guard let source = HostAddresses.bytes(of: peer) else { return "the connection's source is unknown" }
        var hosts = [neighbour.address.host]
        if let url = neighbour.url, url.host != neighbour.address.host { hosts.append(url.host) }
        for host in hosts where await HostAddresses.resolve(host).contains(source) { return nil }
        return "not from \(hosts.joined(separator: " or "))"
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
