import Core
import Logging
import NIOCore
import OlafCrypto
import HummingbirdWebSocket
import NIOWebSocket

/// One client connection after its first message, a `hello`: admits it to the hub, then verifies and routes
/// everything it sends until it disconnects. A class: the connection's suspended async frames hold one reference
/// instead of a copy of every field (the limits alone are a few hundred bytes), for as long as the client stays.
final class ClientSession: Sendable {
    let hub: RelayHub
    let limits: ServerLimits
    let statistics: RelayStatistics
    let logger: Logger
    let connection: ConnectionID
    let outbox: Outbox
    /// Counts this client's refusals by the rate limits.
    let refusals: LimitCounters

    init(
        hub: RelayHub, limits: ServerLimits, statistics: RelayStatistics, logger: Logger, connection: ConnectionID,
        outbox: Outbox, refusals: LimitCounters
    ) {
        self.hub = hub
        self.limits = limits
        self.statistics = statistics
        self.logger = logger
        self.connection = connection
        self.outbox = outbox
        self.refusals = refusals
    }

    /// Checks the verified-shape first envelope, a `hello`, and admits its client to the hub; false (after
    /// refusing the client) when it may not stay. The hello is not needed afterwards: `serve` runs without it, so
    /// its text and parsed form are not kept for as long as the client stays connected.
    func admit(
        hello envelope: SignedEnvelope, key: RSAPublicKey, messages: inout WebSocketInboundMessageStream.AsyncIterator
    ) async -> Bool {
        guard envelope.isSigned(by: key) else {
            statistics.dropped(.badSignature)
            await refuse(.policyViolation, "hello signature does not verify with the enclosed key", &messages)
            return false
        }
        do throws(RelayHub.AdmissionRefusal) {
            try await hub.admit(
                connection: connection, key: key, counter: envelope.counter, outbox: outbox,
                maxClients: limits.maxClients)
            return true
        } catch {
            switch error {
            case .replayed(let error):
                statistics.dropped(.replayedCounter)
                await refuse(.policyViolation, "hello refused: \(error)", &messages)
            case .shuttingDown:
                await refuse(.goingAway, "server shutting down", &messages)
            case .listedByNeighbour(let neighbours):
                statistics.dropped(.listedByNeighbour)
                let names = neighbours.map(\.spelling).joined(separator: ", ")
                logger.warning(
                    "hello refused: a neighbour lists this key as connected there",
                    metadata: ["fingerprint": "\(key.fingerprint)", "neighbours": "\(names)"])
                await refuse(
                    .policyViolation,
                    "hello refused: this key is connected at \(names); disconnect there first, or retry later",
                    &messages)
            case .serverFull(let limit):
                await refuse(.init(codeNumber: 1013), "server full (\(limit) clients)", &messages)
            }
            return false
        }
    }

    /// Verifies and routes everything an admitted client sends until it disconnects, then removes it from the hub.
    func serve(key: RSAPublicKey, messages: inout WebSocketInboundMessageStream.AsyncIterator) async throws {
        let fingerprint = key.fingerprint
        let logger = self.logger.adding(["fingerprint": "\(fingerprint)", "connection": "\(connection)"])
        logger.info("client connected")
        let sender = SenderFingerprints(of: key)
        var rates = ClientRateGate(limits: limits, refusals: refusals)
        let outcome: Result<Void, any Error>
        do {
            frames: while let message = try await messages.next() {
                if let reason = rates.refusal(for: message) {
                    await closeOverRateLimit(reason, logger: logger, &messages)
                    break
                }
                guard let text = message.text else {
                    statistics.dropped(.malformed)
                    continue
                }
                switch await handle(text, key: key, sender: sender, rates: &rates, logger: logger) {
                case .carryOn: continue
                case .close: break frames
                case .overRateLimit(let reason):
                    await closeOverRateLimit(reason, logger: logger, &messages)
                    break frames
                }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await hub.remove(connection: connection, fingerprint: fingerprint)
        logger.info("client disconnected")
        try outcome.get()
    }

    private enum Next {
        case carryOn, close
        /// A frame took the client over its rate (a many-key chat charges more than one message).
        case overRateLimit(String)
    }

    /// Closes the connection of a client over its rate limit (1008 with the reason) and reads until it is closed.
    private func closeOverRateLimit(
        _ reason: String, logger: Logger, _ messages: inout WebSocketInboundMessageStream.AsyncIterator
    ) async {
        logger.warning("closing client over its rate limit", metadata: ["reason": "\(reason)"])
        outbox.close(code: .policyViolation, reason: reason)
        await messages.discardUntilClosed()
    }

    /// Verifies and routes one frame from this client.
    private func handle(
        _ text: String, key: RSAPublicKey, sender: SenderFingerprints, rates: inout ClientRateGate, logger: Logger
    ) async -> Next {
        let frame: Frame
        do {
            frame = try FrameDecoder.decode(Array(text.utf8), limits: limits.protocolLimits)
        } catch {
            statistics.dropped(.malformed)
            AbuseGuard.countJSONLimit(error, in: refusals)
            logger.debug("dropped malformed frame", metadata: ["error": "\(error)"])
            return .carryOn
        }
        switch frame {
        case .signed(let envelope):
            if case .chat(let chat) = envelope.payload, let reason = rates.refusal(forChatWithKeys: chat.symmKeys.count) {
                return .overRateLimit(reason)
            }
            return await handle(envelope, text: text, key: key, sender: sender, logger: logger)
        case .clientListRequest:
            await hub.answerClientListRequest(from: key.fingerprint, minimumInterval: limits.listAnswerInterval)
        case .clientUpdate, .clientUpdateRequest, .clientList:
            statistics.dropped(.notAllowedFromClient)
            logger.debug("ignored a server-to-server message from a client", metadata: ["type": "\(frame.typeName)"])
        }
        return .carryOn
    }

    private func handle(
        _ envelope: SignedEnvelope, text: String, key: RSAPublicKey, sender: SenderFingerprints,
        logger: Logger
    ) async -> Next {
        if case .hello(let hello) = envelope.payload, hello.publicKey != key {
            logger.warning("refusing a second hello with another key on the same connection")
            outbox.close(code: .policyViolation, reason: "a connection speaks for one key; reconnect to change keys")
            return .close
        }
        if case .serverHello = envelope.payload {
            statistics.dropped(.notAllowedFromClient)
            return .carryOn
        }
        guard envelope.isSigned(by: key) else {
            statistics.dropped(.badSignature)
            logger.debug("dropped a frame whose signature does not verify")
            return .carryOn
        }
        do {
            switch envelope.payload {
            case .hello:
                try await hub.acceptCounter(envelope.counter, from: key.fingerprint)
            case .chat(let chat):
                try await hub.routeChat(
                    frame: ByteBuffer(string: text), counter: envelope.counter, from: key.fingerprint,
                    destinations: chat.destinations)
            case .publicChat(let chat):
                guard sender.matches(chat.sender) else {
                    statistics.dropped(.senderMismatch)
                    logger.debug("dropped a public_chat whose sender is not the signer")
                    return .carryOn
                }
                try await hub.routePublicChat(
                    frame: ByteBuffer(string: text), counter: envelope.counter, from: key.fingerprint)
            case .serverHello:
                break
            }
        } catch {
            statistics.dropped(.replayedCounter)
            logger.debug("dropped a replayed frame", metadata: ["error": "\(error)"])
        }
        return .carryOn
    }

    private func refuse(
        _ code: WebSocketErrorCode, _ reason: String,
        _ messages: inout WebSocketInboundMessageStream.AsyncIterator
    ) async {
        logger.info("refused client", metadata: ["reason": "\(reason)"])
        outbox.close(code: code, reason: reason)
        await messages.discardUntilClosed()
    }
}
