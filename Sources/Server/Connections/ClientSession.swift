import Core
import Logging
import NIOCore
import NIOWebSocket
import OlafCrypto
import Transport

/// One client connection after its first message, a `hello`, on the connection's event loop: asks the hub to
/// admit it, then charges the rate limits, parses and verifies everything it sends right there, and hands what
/// passes to the hub through the `HubFeeder`, in order. No task: nothing here waits.
///
/// Kept small, since thousands live at once: the limits it needs are copied once, and log metadata is built only
/// when a line is logged.
final class ClientSession {
    private let context: RelayContext
    private let protocolLimits: ProtocolLimits
    private let listAnswerInterval: Duration
    private let connection: ConnectionID
    private let key: RSAPublicKey
    private let sender: SenderFingerprints
    private let outbox: ChannelOutbox
    private var rates: ClientRateGate
    /// The hub admitted this connection (so its end is logged as a disconnect).
    private var admitted = false
    /// We are closing the connection: what still arrives is ignored.
    private var closing = false

    init(context: RelayContext, limits: ServerLimits, key: RSAPublicKey, outbox: ChannelOutbox) {
        self.context = context
        self.protocolLimits = limits.protocolLimits
        self.listAnswerInterval = limits.listAnswerInterval
        self.connection = ConnectionID.make()
        self.key = key
        self.sender = SenderFingerprints(of: key)
        self.outbox = outbox
        self.rates = ClientRateGate(limits: limits, refusals: context.abuse.refusals)
    }

    private var fingerprint: String { sender.canonical }

    /// The server's logger with this client's fingerprint and connection.
    private var logger: Logger {
        context.logger.adding(["fingerprint": "\(fingerprint)", "connection": "\(connection)"])
    }

    /// Asks the hub to admit the client of a verified `hello`; the answer comes back on the event loop.
    func admit(counter: UInt64, maxClients: Int) {
        let session = NIOLoopBound(self, eventLoop: outbox.eventLoop)
        let eventLoop = outbox.eventLoop
        context.feeder.submit(
            .admit(
                connection: connection, key: key, counter: counter, outbox: outbox, maxClients: maxClients,
                reply: { result in eventLoop.execute { session.value.admission(result) } }))
    }

    private func admission(_ result: Result<Void, RelayHub.AdmissionRefusal>) {
        switch result {
        case .success:
            admitted = true
            logger.info("client connected")
        case .failure(.replayed(let error)):
            context.statistics.dropped(.replayedCounter)
            refuse(.policyViolation, "hello refused: \(error)")
        case .failure(.shuttingDown):
            refuse(.goingAway, "server shutting down")
        case .failure(.listedByNeighbour(let neighbours)):
            context.statistics.dropped(.listedByNeighbour)
            let names = neighbours.map(\.spelling).joined(separator: ", ")
            logger.warning(
                "hello refused: a neighbour lists this key as connected there", metadata: ["neighbours": "\(names)"])
            refuse(.policyViolation, "hello refused: this key is connected at \(names); disconnect there first, or retry later")
        case .failure(.serverFull(let limit)):
            refuse(.init(codeNumber: 1013), "server full (\(limit) clients)")
        }
    }

    /// A message from the client after its `hello`.
    func received(_ message: WebSocketMessageBytes) {
        guard !closing else { return }
        let bytes: ByteBuffer
        switch message {
        case .text(let text): bytes = text
        case .binary(let data):
            if let reason = rates.refusal(forMessageOfBytes: data.readableBytes) { return closeOverRateLimit(reason) }
            context.statistics.dropped(.malformed)
            return
        }
        if let reason = rates.refusal(forMessageOfBytes: bytes.readableBytes) { return closeOverRateLimit(reason) }
        let frame: OlafMessage
        do {
            frame = try OlafMessageDecoder.decode(bytes.allReadableBytes, limits: protocolLimits)
        } catch {
            context.statistics.dropped(.malformed)
            AbuseGuard.countJSONLimit(error, in: context.abuse.refusals)
            logger.debug("dropped malformed frame", metadata: ["error": "\(error)"])
            return
        }
        switch frame {
        case .signed(let envelope):
            if case .chat(let chat) = envelope.payload, let reason = rates.refusal(forChatWithKeys: chat.symmKeys.count) {
                return closeOverRateLimit(reason)
            }
            handle(envelope, bytes: bytes)
        case .clientListRequest:
            context.feeder.submit(
                .listRequest(connection: connection, sender: fingerprint, minimumInterval: listAnswerInterval))
        case .clientUpdate, .clientUpdateRequest, .clientList:
            context.statistics.dropped(.notAllowedFromClient)
            logger.debug("ignored a server-to-server message from a client", metadata: ["type": "\(frame.typeName)"])
        }
    }

    private func handle(_ envelope: SignedEnvelope, bytes: ByteBuffer) {
        if case .hello(let hello) = envelope.payload, hello.publicKey != key {
            logger.warning("refusing a second hello with another key on the same connection")
            closing = true
            outbox.close(code: .policyViolation, reason: "a connection speaks for one key; reconnect to change keys")
            return
        }
        if case .serverHello = envelope.payload {
            context.statistics.dropped(.notAllowedFromClient)
            return
        }
        guard envelope.isSigned(by: key) else {
            context.statistics.dropped(.badSignature)
            logger.debug("dropped a frame whose signature does not verify")
            return
        }
        switch envelope.payload {
        case .hello:
            context.feeder.submit(.helloAgain(connection: connection, sender: fingerprint, counter: envelope.counter))
        case .chat(let chat):
            context.feeder.submit(
                .chat(
                    connection: connection, sender: fingerprint, frame: bytes, counter: envelope.counter,
                    destinations: chat.destinations))
        case .publicChat(let chat):
            guard sender.matches(chat.sender) else {
                context.statistics.dropped(.senderMismatch)
                logger.debug("dropped a public_chat whose sender is not the signer")
                return
            }
            context.feeder.submit(
                .publicChat(connection: connection, sender: fingerprint, frame: bytes, counter: envelope.counter))
        case .serverHello:
            break
        }
    }

    /// The connection ended: the hub forgets it (if it is still the key's current connection).
    func ended() {
        context.feeder.submit(.remove(connection: connection, sender: fingerprint))
        if admitted { logger.info("client disconnected") }
    }

    /// Closes the connection of a client over its rate limit (1008 with the reason).
    private func closeOverRateLimit(_ reason: String) {
        logger.warning("closing client over its rate limit", metadata: ["reason": "\(reason)"])
        closing = true
        outbox.close(code: .policyViolation, reason: reason)
    }

    private func refuse(_ code: WebSocketErrorCode, _ reason: String) {
        logger.info("refused client", metadata: ["reason": "\(reason)"])
        closing = true
        outbox.close(code: code, reason: reason)
    }
}
