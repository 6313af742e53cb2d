import Core
public import Foundation
public import Logging
public import OlafCrypto
import Transport

/// The protocol client for one user: keeps a connection to the home server (hello, client list, reconnect with
/// backoff), sends public chats and end-to-end encrypted chats, and shows only what verifies: every received
/// signature is checked against the sender's listed key and every counter against the last one accepted from
/// that sender (persisted). Our own counter is reserved in blocks in the store before use, so it never repeats
/// across restarts or crashes.
public actor ClientEngine {
    public nonisolated let key: RSAPrivateKey
    public nonisolated let fingerprint: String
    public nonisolated let configuration: EngineConfiguration
    public nonisolated let events: EventHub
    let store: ClientStore
    let logger: Logger
    let ownFingerprints: SenderFingerprints

    // Connection
    var status = ConnectionStatus(state: .connecting)
    /// The connection's outbox while connected to the home server.
    var outbox: ChannelOutbox?
    // Neighbourhood
    var directory = OnlineDirectory()
    /// When the current client list arrived (nil while there is none).
    var listRefreshedAt: Date?
    /// Sends waiting for the next client list (`awaitFreshList`), resumed when it arrives or their wait ends.
    var listWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextListWaiter = 0
    /// Every key ever listed (from the store and from lists), by every fingerprint spelling: verifies messages from
    /// someone who went offline right after sending.
    var knownKeys = FingerprintIndex()
    var nicknames: [String: String] = [:]
    // Counters
    var peerCounters: CounterTracker
    var ownCounter: OutgoingCounter
    var reservedCounter: UInt64
    // Frames from senders not listed yet, retried once after the next client list.
    var pending: [String] = []
    var requestedListForPending = false
    var drops: [ReceiveDropReason: Int] = [:]
    /// What opening received chats may still cost (RSA private-key operations).
    var openingBudget: ChatOpeningBudget

    /// Opens an engine on an unlocked key and the store (loads counters and known contacts).
    public static func open(
        key: RSAPrivateKey, store: ClientStore, configuration: EngineConfiguration, events: EventHub = EventHub(),
        logger: Logger
    ) async throws -> ClientEngine {
        let reserved = try await store.reservedCounter()
        let counters = try await store.peerCounters()
        // Bounded before they are parsed: unlock time must not grow with every key a server ever listed.
        try await store.pruneContacts(
            keeping: configuration.maxContacts, unseenFor: configuration.forgetContactsUnseenFor.inSeconds)
        var known: [String: RSAPublicKey] = [:]
        var nicknames: [String: String] = [:]
        for contact in try await store.contacts() {
            if let key = try? RSAPublicKey(pem: contact.publicKeyPEM), key.fingerprint == contact.fingerprint {
                known[contact.fingerprint] = key
            }
            if let nickname = contact.nickname { nicknames[contact.fingerprint] = nickname }
        }
        return ClientEngine(
            key: key, store: store, configuration: configuration, events: events, logger: logger,
            reserved: reserved, counters: counters, known: known, nicknames: nicknames)
    }

    private init(
        key: RSAPrivateKey, store: ClientStore, configuration: EngineConfiguration, events: EventHub, logger: Logger,
        reserved: UInt64, counters: [String: UInt64], known: [String: RSAPublicKey], nicknames: [String: String]
    ) {
        self.key = key
        self.fingerprint = key.publicKey.fingerprint
        self.configuration = configuration
        self.events = events
        self.store = store
        self.logger = logger
        self.ownFingerprints = SenderFingerprints(of: key.publicKey)
        self.peerCounters = CounterTracker(lastAccepted: counters)
        // Everything up to the stored ceiling may have been used before a crash: start above it.
        self.ownCounter = OutgoingCounter(last: reserved)
        self.reservedCounter = reserved
        self.knownKeys = FingerprintIndex(known.values)
        self.nicknames = nicknames
        self.openingBudget = ChatOpeningBudget(operationsPerSecond: configuration.chatOpeningOperationsPerSecond,
            burst: 2 * configuration.chatOpeningOperationsPerSecond)
    }

    // MARK: State for the UI

    /// A consistent picture of the engine for the UI.
    public struct Snapshot: Sendable {
        public let connection: ConnectionStatus
        public let servers: [OnlineDirectory.Server]
        public let drops: [ReceiveDropReason: Int]
        public let nicknames: [String: String]
        /// When the home server last sent the client list (nil before the first one on this connection).
        public let listRefreshedAt: Date?
    }

    public func snapshot() -> Snapshot {
        Snapshot(
            connection: status, servers: directory.servers, drops: drops, nicknames: nicknames,
            listRefreshedAt: listRefreshedAt)
    }

    /// The last own counter handed out (for tests and diagnostics).
    public var lastOwnCounter: UInt64 { ownCounter.last }

    /// Sets or clears a local nickname; false when the fingerprint was never seen.
    public func setNickname(_ nickname: String?, for fingerprint: String) async throws -> Bool {
        let cleaned = nickname.map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(64)) }
        guard try await store.setNickname(cleaned, for: fingerprint) else { return false }
        nicknames[fingerprint] = cleaned.flatMap { $0.isEmpty ? nil : $0 }
        events.publish(.online)
        return true
    }

    // MARK: Sending

    /// Signs and sends a public chat to the whole neighbourhood.
    public func sendPublic(_ text: String) async throws(SendError) -> MessageRecord {
        guard !text.isEmpty else { throw .emptyMessage }
        guard text.utf8.count <= configuration.limits.maxMessageBytes else {
            throw .invalid(
                .tooLong(field: "message", limit: configuration.limits.maxMessageBytes, actual: text.utf8.count))
        }
        try requireOnline()
        try await sendSigned(.publicChat(PublicChatData(sender: fingerprint, message: text)))
        return try await storeOutgoing(
            conversation: ConversationID.publicChannel, kind: .publicChannel, participants: [], text: text,
            file: FileLinkDetector.link(in: text))
    }

    /// Encrypts `text` to the online clients `recipients` (canonical fingerprints; we are added as sender) and
    /// sends it: a direct chat for one recipient, a group chat for several.
    public func sendChat(_ text: String, to recipients: [String], file: FileLink? = nil) async throws(SendError)
        -> MessageRecord
    {
        guard !text.isEmpty else { throw .emptyMessage }
        var seen = Set<String>()
        let others = recipients.filter { $0 != fingerprint && seen.insert($0).inserted }
        guard !others.isEmpty else { throw .noRecipients }
        try requireOnline()
        if others.contains(where: { !directory.contains($0) }) {
            // Many servers only answer list requests (interop rule 10): someone who joined since the last list is
            // invisible until we ask again, so ask once more and wait (bounded) before giving up on them.
            await awaitFreshList(within: configuration.listRefreshBeforeFailing)
            try requireOnline()
        }
        var chatRecipients: [ChatRecipient] = []
        for recipient in others {
            guard let entry = directory.entry(for: recipient) else { throw .recipientOffline(fingerprint: recipient) }
            chatRecipients.append(ChatRecipient(publicKey: entry.key, homeServer: entry.server))
        }
        let chat: ChatData
        do {
            chat = try ChatCipher.seal(
                text, from: key.publicKey, to: chatRecipients, limits: configuration.limits)
        } catch {
            throw .invalid(error)
        }
        try await sendSigned(.chat(chat))
        let participants = [fingerprint] + others
        return try await storeOutgoing(
            conversation: ConversationID.chat(participants: participants),
            kind: participants.count == 2 ? .direct : .group, participants: participants, text: text,
            file: file ?? FileLinkDetector.link(in: text))
    }

    private func requireOnline() throws(SendError) {
        guard outbox != nil, status.state == .online else { throw .notConnected(detail: status.detail) }
    }

    /// Takes the next own counter (reserving a block in the store first when needed), signs, and queues the
    /// frame. No suspension separates taking the counter from queueing, so frames leave in counter order.
    func sendSigned(_ payload: SignedPayload) async throws(SendError) {
        do {
            while ownCounter.last >= reservedCounter {
                let target = ownCounter.last + configuration.counterBlock
                reservedCounter = max(reservedCounter, try await store.reserveCounter(upTo: target))
            }
        } catch {
            throw .store("\(error)")
        }
        guard let outbox else { throw .notConnected(detail: status.detail) }
        let counter = ownCounter.next()
        let envelope: SignedEnvelope
        do {
            envelope = try SignedEnvelope.sign(payload, counter: counter, with: key)
        } catch {
            throw .invalid(.crypto(error))
        }
        switch outbox.send(OlafMessage.signed(envelope).text) {
        case .queued:
            break
        case .full:
            // The home server stopped reading what we send: the connection is of no use; redial.
            logger.warning("the home server is not reading what we send; reconnecting")
            outbox.kill()
            throw .notConnected(detail: "the home server is not reading; reconnecting")
        case .closed:
            throw .notConnected(detail: "the connection is closing")
        }
    }

    private func storeOutgoing(
        conversation: String, kind: ConversationKind, participants: [String], text: String, file: FileLink?
    ) async throws(SendError) -> MessageRecord {
        do {
            let record = try await store.insertMessage(
                conversation: conversation, kind: kind, participants: participants, direction: .outgoing,
                sender: fingerprint, text: text, status: .sent, file: file, at: Date())
            events.publish(.message(record))
            return record
        } catch {
            throw .store("\(error)")
        }
    }

    // MARK: Helpers

    func drop(_ reason: ReceiveDropReason, _ detail: @autoclosure () -> String = "") {
        drops[reason, default: 0] += 1
        if reason != .notForUs {
            logger.debug(
                "dropped a received frame", metadata: ["reason": "\(reason.rawValue)", "detail": "\(detail())"])
        }
        events.publish(.dropped(reason))
    }

    func setStatus(_ newStatus: ConnectionStatus) {
        guard newStatus != status else { return }
        status = newStatus
        events.publish(.connection(newStatus))
    }
}
