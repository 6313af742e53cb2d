import Core
import Foundation
import Logging
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// A connection whose first message is a `server_hello` naming a configured neighbour, signed with that
/// neighbour's configured key, with a counter above the last one seen (or a restart that
/// `ServerHelloAuthenticator` accepts). Then we read from it (we never send on it: our traffic goes over the
/// socket we dial ourselves, interop rule 7).
struct NeighbourInboundSession {
    let context: RelayContext
    let outbox: Outbox

    func run(
        serverHello envelope: SignedEnvelope, claimed: ServerHelloData, from peer: SocketAddress?,
        messages: inout WebSocketInboundMessageStream.AsyncIterator
    ) async throws {
        let hub = context.hub
        let connection = ConnectionID.make()
        let neighbour: Neighbour
        do {
            neighbour = try await ServerHelloAuthenticator(context: context).authenticate(
                envelope, claimed: claimed, origin: .inbound(from: peer), connection: connection, outbox: outbox)
        } catch {
            return await refuse(error.description, &messages)
        }
        let logger = context.logger.adding(["neighbour": "\(neighbour.address)"])
        logger.info("neighbour link accepted")
        if await !hub.isLinked(neighbour.address) { context.linkWaker.wake(neighbour.address) }
        let handler = NeighbourFrameHandler(
            context: context, neighbour: neighbour, link: outbox, connection: connection)
        let outcome: Result<Void, any Error>
        do {
            while let message = try await messages.next() {
                guard let text = message.text else {
                    context.statistics.dropped(.malformed)
                    continue
                }
                await handler.handle(text)
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await hub.linkDown(neighbour.address, connection: connection)
        logger.info("neighbour link closed")
        try outcome.get()
    }

    private func refuse(_ reason: String, _ messages: inout WebSocketInboundMessageStream.AsyncIterator) async {
        context.logger.warning("refused server link", metadata: ["reason": "\(reason)"])
        outbox.close(code: .policyViolation, reason: reason)
        await messages.discardUntilClosed()
    }
}
