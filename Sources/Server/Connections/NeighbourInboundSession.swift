import Core
import Foundation
import Logging
import NIOCore
import NIOWebSocket
import Transport

/// A connection whose first message is a `server_hello` naming a configured neighbour, signed with that
/// neighbour's configured key, with a counter above the last one seen (or a restart that
/// `ServerHelloAuthenticator` accepts). Then we read from it (we never send on it: our traffic goes over the
/// socket we dial ourselves, interop rule 7). Runs as a task (`InboundLinkSessions`): its frames wait on the hub.
struct NeighbourInboundSession: Sendable {
    let context: RelayContext
    let link: WebSocketInbox

    func run(serverHello envelope: SignedEnvelope, claimed: ServerHelloData, from peer: SocketAddress?) async {
        let hub = context.hub
        let connection = ConnectionID.make()
        let neighbour: Neighbour
        do {
            neighbour = try await ServerHelloAuthenticator(context: context).authenticate(
                envelope, claimed: claimed, origin: .inbound(from: peer), connection: connection, outbox: link.outbox)
        } catch {
            context.logger.warning("refused server link", metadata: ["reason": "\(error.description)"])
            link.outbox.close(code: .policyViolation, reason: error.description)
            return
        }
        let logger = context.logger.adding(["neighbour": "\(neighbour.address)"])
        logger.info("neighbour link accepted")
        if await !hub.isLinked(neighbour.address) { context.linkWaker.wake(neighbour.address) }
        let handler = NeighbourFrameHandler(
            context: context, neighbour: neighbour, link: link.outbox, connection: connection)
        for await bytes in link.messages {
            link.consumed(bytes.readableBytes)
            await handler.handle(String(buffer: bytes))
        }
        await hub.linkDown(neighbour.address, connection: connection)
        logger.info("neighbour link closed")
    }
}
