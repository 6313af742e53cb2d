import Core
import Foundation
import Logging
import HummingbirdWebSocket
import NIOWebSocket

/// A connection whose first message is a `server_hello`: accepted only from a configured neighbour's address,
/// signed with that neighbour's configured key, with a counter above the last one seen. Then we read from it
/// (we never send on it: our traffic goes over the socket we dial ourselves, interop rule 7).
struct NeighbourInboundSession {
    let context: RelayContext
    let outbox: Outbox

    func run(
        serverHello envelope: SignedEnvelope, claimed: ServerHelloData,
        messages: inout WebSocketInboundMessageStream.AsyncIterator
    ) async throws {
        let hub = context.hub
        guard let neighbour = await hub.neighbour(at: claimed.address) else {
            return await refuse("server_hello from \(claimed.address), which is not a configured neighbour", &messages)
        }
        guard envelope.isSigned(by: neighbour.publicKey) else {
            context.statistics.dropped(.badSignature)
            return await refuse(
                "server_hello does not verify with the key configured for \(neighbour.address)",
                &messages)
        }
        do {
            try await hub.acceptCounter(envelope.counter, from: neighbour.counterKey)
        } catch {
            context.statistics.dropped(.replayedCounter)
            return await refuse("replayed server_hello: \(error)", &messages)
        }
        let logger = context.logger.adding(["neighbour": "\(neighbour.address)"])
        logger.info("neighbour link accepted")
        try? await context.store.markNeighbourSeen(address: neighbour.address.canonical, at: Date())
        await hub.linkUp(neighbour.address)
        if await !hub.isLinked(neighbour.address) { context.linkWaker.wake(neighbour.address) }
        let handler = NeighbourFrameHandler(context: context, neighbour: neighbour, link: outbox)
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
        await hub.linkDown(neighbour.address)
        logger.info("neighbour link closed")
        try outcome.get()
    }

    private func refuse(_ reason: String, _ messages: inout WebSocketInboundMessageStream.AsyncIterator) async {
        context.logger.warning("refused server link", metadata: ["reason": "\(reason)"])
        outbox.close(code: .policyViolation, reason: reason)
        await messages.discardUntilClosed()
    }
}
