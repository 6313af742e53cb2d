import Core
import Transport
import Logging
import NIOCore
import NIOWebSocket
import OlafCrypto

/// Handles frames that arrive from an authenticated neighbour (on its inbound link or on our dialled one):
/// list updates, list requests, and chats to deliver to our clients. Nothing is forwarded again: the mesh is
/// complete.
struct NeighbourFrameHandler {
    let context: RelayContext
    let neighbour: Neighbour
    /// The link the frames arrive on: closed (1008) when the neighbour floods for too long.
    let link: any PeerOutbox
    /// That link's identity: the hub acts on its frames only while it is still an authenticated link of the
    /// neighbour (removal or re-keying cuts it at once, even with frames in flight).
    let connection: ConnectionID

    func handle(_ text: String) async {
        let statistics = context.statistics
        switch context.abuse.admitNeighbourFrame(from: neighbour.address) {
        case .accept:
            break
        case .drop:
            statistics.dropped(.neighbourRateLimited)
            return
        case .close:
            statistics.dropped(.neighbourRateLimited)
            context.logger.warning(
                "closing a neighbour link that keeps exceeding its frame rate",
                metadata: ["neighbour": "\(neighbour.address)"])
            link.close(code: .policyViolation, reason: "neighbour frame rate limit exceeded for too long")
            return
        }
        let frame: OlafMessage
        do {
            // Interop rule 3: a neighbour may relay v1.1 object data; clients judge it.
            frame = try OlafMessageDecoder.decode(
                Array(text.utf8), limits: context.limits.protocolLimits,
                objectData: .acceptForRelay)
        } catch {
            statistics.dropped(.malformed)
            AbuseGuard.countJSONLimit(error, in: context.abuse.refusals)
            if error.isRejectedClientUpdate {
                context.abuse.refusals.record(.clientUpdateRejected)
                context.logger.warning(
                    "rejected a client_update from a neighbour; its previous list stays",
                    metadata: ["neighbour": "\(neighbour.address)", "error": "\(error)"])
                return
            }
            context.logger.debug(
                "dropped malformed frame from neighbour",
                metadata: ["neighbour": "\(neighbour.address)", "error": "\(error)"])
            return
        }
        switch frame {
        case .clientUpdate(let update):
            await context.hub.updateNeighbourClients(neighbour.address, keys: update.clients, via: connection)
        case .clientUpdateRequest:
            await context.hub.sendClientUpdate(to: neighbour.address)
        case .signed(let envelope):
            await handle(envelope, text: text)
        case .clientList, .clientListRequest:
            statistics.dropped(.notAllowedFromNeighbour)
        }
    }

    private func handle(_ envelope: SignedEnvelope, text: String) async {
        let hub = context.hub
        switch envelope.payload {
        case .chat(let chat):
            // Servers cannot verify a relayed chat (the sender is inside the ciphertext); recipients do.
            if chat.destinations.contains(hub.ownAddress) {
                await hub.deliverFromNeighbour(
                    frame: ByteBuffer(string: envelope.dataWasObject ? reencoded(envelope) : text),
                    from: neighbour.address, via: connection)
            } else {
                context.statistics.dropped(.unknownDestination)
            }
        case .publicChat(let chat):
            if envelope.dataWasObject {
                await hub.deliverFromNeighbour(
                    frame: ByteBuffer(string: reencoded(envelope)), from: neighbour.address, via: connection)
                return
            }
            // Only pass on what a client could verify: the sender must be a client this neighbour listed,
            // the signature must hold, and the counter must be new.
            guard let key = await hub.neighbourClientKey(chat.sender, listedBy: neighbour.address) else {
                context.statistics.dropped(.unknownSender)
                return
            }
            guard envelope.isSigned(by: key) else {
                context.statistics.dropped(.badSignature)
                return
            }
            do {
                try await hub.accept(counter: envelope.counter, from: key.fingerprint)
            } catch {
                context.statistics.dropped(.replayedCounter)
                return
            }
            await hub.deliverFromNeighbour(frame: ByteBuffer(string: text), from: neighbour.address, via: connection)
        case .hello, .serverHello:
            context.statistics.dropped(.notAllowedFromNeighbour)
        }
    }

    /// A v1.1 object-data envelope passed on with `data` as a string (what v1.2 clients expect).
    private func reencoded(_ envelope: SignedEnvelope) -> String { OlafMessage.signed(envelope).text }
}
