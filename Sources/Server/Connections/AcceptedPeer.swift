import Core
import Logging
import NIOCore
import NIOWebSocket
import Transport

/// The session logic of every accepted WebSocket connection, on its event loop: the first message decides
/// whether the peer is a client (`hello`: a `ClientSession`) or a neighbour server (`server_hello`: an
/// `WebSocketInbox`); anything else is closed with a clear reason.
final class AcceptedPeer: WebSocketPeer {
    private enum State {
        case awaitingFirstMessage
        case client(ClientSession)
        case neighbour(WebSocketInbox)
        /// Refused or ended: whatever still arrives is ignored.
        case done
    }

    private var state = State.awaitingFirstMessage
    private let context: RelayContext
    private let outbox: ChannelOutbox
    private let remoteAddress: SocketAddress?
    /// The peer's address has more connections open than allowed: refused once it speaks.
    private let overConnectionLimit: Bool

    init(context: RelayContext, outbox: ChannelOutbox, remoteAddress: SocketAddress?, overConnectionLimit: Bool) {
        self.context = context
        self.outbox = outbox
        self.remoteAddress = remoteAddress
        self.overConnectionLimit = overConnectionLimit
    }

    /// How an accepted connection is run: the frame limit, the close grace, and the hello timeout.
    static func configuration(_ limits: ServerLimits) -> WebSocketPeerConfiguration {
        WebSocketPeerConfiguration(
            maxMessageBytes: limits.protocolLimits.maxFrameBytes, closeGrace: .seconds(2),
            firstMessageDeadline: (TimeAmount(limits.helloTimeout), "no hello or server_hello within \(limits.helloTimeout)"))
    }

    func received(_ message: WebSocketMessageBytes) {
        switch state {
        case .client(let session): session.received(message)
        case .neighbour(let link): link.received(message)
        case .done: break
        case .awaitingFirstMessage: first(message)
        }
    }

    func connectionEnded() {
        switch state {
        case .client(let session): session.ended()
        case .neighbour(let link): link.connectionEnded()
        case .awaitingFirstMessage, .done: break
        }
        state = .done
    }

    private func first(_ message: WebSocketMessageBytes) {
        if overConnectionLimit {
            // Refused once the peer speaks, so a client that just finished its handshake reads the reason; a
            // silent one meets the hello timeout. Few such connections exist per address at once.
            return refuse(.policyViolation, "too many connections from your address")
        }
        let limits = context.limits
        guard case .text(let bytes) = message,
            case .signed(let envelope)? = try? OlafMessageDecoder.decode(
                bytes.allReadableBytes, limits: limits.protocolLimits)
        else { return notAGreeting() }
        // Before any signature check: a flood of made-up hellos costs no RSA work.
        if envelope.payload.isHello, !context.abuse.allowHello(from: remoteAddress) {
            context.logger.debug("refused a hello over the per-address hello rate")
            return refuse(.policyViolation, "too many hellos from your address; try again later")
        }
        switch envelope.payload {
        case .hello(let hello):
            guard envelope.isSigned(by: hello.publicKey) else {
                context.statistics.dropped(.badSignature)
                context.logger.info("refused client", metadata: ["reason": "hello signature does not verify"])
                return refuse(.policyViolation, "hello signature does not verify with the enclosed key")
            }
            let session = ClientSession(context: context, limits: limits, key: hello.publicKey, outbox: outbox)
            state = .client(session)
            session.admit(counter: envelope.counter, maxClients: limits.maxClients)
        case .serverHello(let claimed):
            let statistics = context.statistics
            let link = WebSocketInbox(
                outbox: outbox, maxPendingBytes: limits.neighbourOutboxBytes,
                onBinary: { statistics.dropped(.malformed) })
            state = .neighbour(link)
            let session = NeighbourInboundSession(context: context, link: link)
            let remoteAddress = self.remoteAddress
            context.inboundLinks.start { await session.run(serverHello: envelope, claimed: claimed, from: remoteAddress) }
        case .chat, .publicChat:
            notAGreeting()
        }
    }

    private func notAGreeting() {
        context.statistics.dropped(.beforeHello)
        context.logger.info("closing a connection that did not start with hello or server_hello")
        refuse(.policyViolation, "the first message must be a signed hello or server_hello")
    }

    private func refuse(_ code: WebSocketErrorCode, _ reason: String) {
        state = .done
        outbox.close(code: code, reason: reason)
    }
}
