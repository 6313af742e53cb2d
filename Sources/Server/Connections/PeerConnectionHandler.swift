import Core
import Logging
import NIOCore
import OlafCrypto
import HummingbirdWebSocket
import NIOWebSocket
import ServiceLifecycle

/// Entry point of every accepted WebSocket: the first message decides whether the peer is a client (`hello`)
/// or a neighbour server (`server_hello`); anything else is closed with a clear reason.
final class PeerConnectionHandler: Sendable {
    let context: RelayContext

    init(context: RelayContext) { self.context = context }

    func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel)
        async throws
    {
        // Only the scalars this function needs, read once: everything held across a suspension point stays in the
        // connection's async frame for as long as it lives.
        let (outboxCapacity, outboxBytes, helloTimeout, maxFrameBytes) = context.settings.withLimits {
            ($0.outboxCapacity, $0.outboxBytes, $0.helloTimeout, $0.protocolLimits.maxFrameBytes)
        }
        let outbox = Outbox(capacity: outboxCapacity, byteCapacity: outboxBytes, channel: channel)
        let greeted = OnceFlag()
        // A job on the connection's event loop, not a task: a task sleeping beside every connection costs memory.
        let helloDeadline = channel.eventLoop.scheduleTask(in: TimeAmount(helloTimeout)) {
            if !greeted.isSet {
                outbox.close(code: .policyViolation, reason: "no hello or server_hello within \(helloTimeout)")
            }
        }
        defer { helloDeadline.cancel() }
        let overLimit = context.abuse.isOverConnectionLimit(channel)
        let remoteAddress = channel.remoteAddress
        // On graceful shutdown every connection goes through our own close, whose grace drops the socket when the
        // peer does not answer: the listener's shutdown waits for every connection to end, and a connection
        // accepted after ShutdownCloser's sweep (a neighbour redialling at once) would otherwise keep it waiting.
        try await withGracefulShutdownHandler {
            try await ConnectionPump.runOnChannel(outbox: outbox, outbound: outbound) {
                var messages = inbound.messages(maxSize: maxFrameBytes).makeAsyncIterator()
                let next = try await greet(
                    messages: &messages, overLimit: overLimit, from: remoteAddress, outbox: outbox, greeted: greeted)
                // The first message is out of scope here: a client's session does not keep its hello alive.
                if case .serveClient(let session, let key) = next {
                    try await session.serve(key: key, messages: &messages)
                }
            }
        } onGracefulShutdown: {
            outbox.close(code: .goingAway, reason: "server shutting down")
        }
    }

    /// What follows the first message: a client's session, or nothing (the peer was refused, or it was a
    /// neighbour's link, already run to its end).
    private enum AfterFirstMessage {
        case serveClient(ClientSession, RSAPublicKey)
        case done
    }

    /// Reads the first message and acts on it.
    private func greet(
        messages: inout WebSocketInboundMessageStream.AsyncIterator, overLimit: Bool,
        from remoteAddress: SocketAddress?,
        outbox: Outbox, greeted: OnceFlag
    ) async throws -> AfterFirstMessage {
        guard let first = try await messages.next() else { return .done }
        greeted.set()
        if overLimit {
            // Refused once the peer speaks, so a client that just finished its handshake reads the reason;
            // a silent one meets the hello timeout. Few such connections exist per address at once.
            outbox.close(code: .policyViolation, reason: "too many connections from your address")
            await messages.discardUntilClosed()
            return .done
        }
        return try await dispatch(first: first, from: remoteAddress, outbox: outbox, messages: &messages)
    }

    private func dispatch(
        first: WebSocketMessage, from remoteAddress: SocketAddress?, outbox: Outbox,
        messages: inout WebSocketInboundMessageStream.AsyncIterator
    ) async throws -> AfterFirstMessage {
        let decoded = first.text.flatMap {
            try? FrameDecoder.decode(Array($0.utf8), limits: context.limits.protocolLimits)
        }
        if case .signed(let envelope)? = decoded, envelope.payload.isHello,
            !context.abuse.allowHello(from: remoteAddress)
        {
            context.logger.debug("refused a hello over the per-address hello rate")
            outbox.close(code: .policyViolation, reason: "too many hellos from your address; try again later")
            await messages.discardUntilClosed()
            return .done
        }
        if case .signed(let envelope)? = decoded {
            switch envelope.payload {
            case .hello(let hello):
                let session = ClientSession(
                    hub: context.hub, limits: context.limits, statistics: context.statistics, logger: context.logger,
                    connection: ConnectionID.make(), outbox: outbox, refusals: context.abuse.refusals)
                let admitted = await session.admit(hello: envelope, key: hello.publicKey, messages: &messages)
                return admitted ? .serveClient(session, hello.publicKey) : .done
            case .serverHello(let serverHello):
                try await NeighbourInboundSession(context: context, outbox: outbox)
                    .run(serverHello: envelope, claimed: serverHello, from: remoteAddress, messages: &messages)
                return .done
            case .chat, .publicChat:
                break
            }
        }
        context.statistics.dropped(.beforeHello)
        context.logger.info("closing a connection that did not start with hello or server_hello")
        outbox.close(code: .policyViolation, reason: "the first message must be a signed hello or server_hello")
        await messages.discardUntilClosed()
        return .done
    }
}
