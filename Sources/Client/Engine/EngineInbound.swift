import Core
import Transport
import Foundation
import Logging
import OlafCrypto

/// Receiving: every frame from the home server is parsed, and signed messages are shown only once the sender's
/// key is known, the signature verifies, and the counter is above the last one accepted from that sender.
extension ClientEngine {
    /// Handles one received text frame.
    func handleInbound(_ text: String) async {
        await handle(text, retrying: false)
    }

    private func handle(_ text: String, retrying: Bool) async {
        let frame: OlafMessage
        do {
            // Object `data` (a server that re-encodes it, interop rule 14) is verified over its Python
            // re-serialisation, the layout senders sign; everything else about it is checked as usual.
            frame = try OlafMessageDecoder.decode(Array(text.utf8), limits: configuration.limits, objectData: .verifyAsPython)
        } catch {
            return drop(.malformed, "\(error)")
        }
        switch frame {
        case .clientList(let list):
            await applyClientList(list)
        case .signed(let envelope):
            switch envelope.payload {
            case .publicChat(let chat):
                await receivePublic(chat, envelope: envelope, text: text, retrying: retrying)
            case .chat(let chat):
                await receiveChat(chat, envelope: envelope, text: text, retrying: retrying)
            case .hello, .serverHello:
                drop(.unexpected, envelope.payload.typeName)
            }
        case .clientListRequest, .clientUpdate, .clientUpdateRequest:
            drop(.unexpected, frame.typeName)
        }
    }

    // MARK: Client list

    private func applyClientList(_ list: ClientList) async {
        let fresh = OnlineDirectory(list: list)
        let changed = fresh.servers != directory.servers
        directory = fresh
        let now = Date()
        listRefreshedAt = now
        resumeListWaiters()
        events.publish(.listRefreshed(now))
        if status.state != .online { setStatus(ConnectionStatus(state: .online, detail: configuration.home.canonical)) }
        // Periodic refreshes (rule 10) mostly repeat the list: record and announce only what changed.
        guard changed || !pending.isEmpty else { return }
        var seen: [(fingerprint: String, pem: String, server: String)] = []
        for server in list.servers {
            for key in server.clients {
                knownKeys.insert(key)
                seen.append((key.fingerprint, key.canonicalPEM, server.address))
            }
        }
        do {
            try await store.recordSeen(seen, at: Date())
            if knownKeys.count > configuration.maxContacts { try await forgetUnneededContacts() }
        } catch {
            logger.warning("cannot record contacts", metadata: ["error": "\(error)"])
        }
        events.publish(.online)
        // Frames that waited for this list get one more chance.
        let waiting = pending
        pending.removeAll()
        requestedListForPending = false
        for text in waiting { await handle(text, retrying: true) }
    }

    /// Prunes the stored contacts (`ClientStore.pruneContacts`) and keeps in memory only the keys still stored or
    /// listed now: a server that lists thousands of new keys a minute must not grow the engine without bound.
    private func forgetUnneededContacts() async throws {
        let forgotten = try await store.pruneContacts(
            keeping: configuration.maxContacts, unseenFor: configuration.forgetContactsUnseenFor.inSeconds)
        guard forgotten > 0 else { return }
        let stored = Set(try await store.contactFingerprints())
        let listed = Set(directory.servers.flatMap(\.fingerprints))
        for fingerprint in knownKeys.fingerprints where !stored.contains(fingerprint) && !listed.contains(fingerprint) {
            knownKeys.remove(fingerprint: fingerprint)
        }
        logger.info("forgot contacts nobody needs", metadata: ["forgotten": "\(forgotten)", "kept": "\(stored.count)"])
    }

    /// Keeps a frame whose sender is not listed yet (it may have just connected) and asks for a fresh list;
    /// drops it when it already waited once or too many wait.
    private func deferUnknownSender(_ text: String, retrying: Bool) {
        guard !retrying, pending.count < configuration.maxPendingFrames else { return drop(.unknownSender) }
        pending.append(text)
        if !requestedListForPending, let outbox {
            requestedListForPending = true
            _ = outbox.send(OlafMessage.clientListRequest(ClientListRequest()).text)
        }
    }

    /// The key behind a fingerprint in any accepted spelling, from the list or from contacts seen before.
    func knownKey(for claimed: String) -> RSAPublicKey? {
        if claimed == fingerprint || ownFingerprints.matches(claimed) { return key.publicKey }
        return knownKeys.key(for: claimed)
    }

    // MARK: Public chat

    private func receivePublic(_ chat: PublicChatData, envelope: SignedEnvelope, text: String, retrying: Bool) async {
        guard let senderKey = knownKey(for: chat.sender) else { return deferUnknownSender(text, retrying: retrying) }
        guard envelope.isSigned(by: senderKey) else { return drop(.badSignature) }
        do {
            try chat.checkSender(against: SenderFingerprints(of: senderKey))
        } catch {
            return drop(.senderMismatch)
        }
        guard senderKey != key.publicKey else { return drop(.ownEcho) }
        guard await acceptCounter(envelope.counter, from: senderKey.fingerprint) else { return }
        await storeIncoming(
            conversation: ConversationID.publicChannel, kind: .publicChannel, participants: [],
            sender: senderKey.fingerprint, text: chat.message)
    }

    // MARK: Encrypted chat

    private func receiveChat(_ chat: ChatData, envelope: SignedEnvelope, text: String, retrying: Bool) async {
        guard openingBudget.spend(keys: chat.symmKeys.count) else { return drop(.overBudget) }
        let opened: OpenedChat
        do {
            opened = try await Self.open(chat, with: key, limits: configuration.limits).get()
        } catch .notForUs {
            return drop(.notForUs)
        } catch .notAParticipant {
            return drop(.senderMismatch, "opened under our key but we are not a participant")
        } catch {
            return drop(.malformed, "\(error)")
        }
        guard let senderKey = knownKey(for: opened.sender) else { return deferUnknownSender(text, retrying: retrying) }
        do {
            try opened.checkSigned(envelope, by: senderKey)
        } catch .senderMismatch {
            return drop(.senderMismatch)
        } catch {
            return drop(.badSignature)
        }
        guard senderKey != key.publicKey else { return drop(.ownEcho) }
        guard await acceptCounter(envelope.counter, from: senderKey.fingerprint) else { return }
        // Participants in canonical spelling where we know the key; unknown ones stay as written.
        var participants = Set<String>()
        for claimed in opened.participants { participants.insert(knownKey(for: claimed)?.fingerprint ?? claimed) }
        participants.insert(fingerprint)
        participants.insert(senderKey.fingerprint)
        await storeIncoming(
            conversation: ConversationID.chat(participants: participants),
            kind: participants.count == 2 ? .direct : .group, participants: Array(participants),
            sender: senderKey.fingerprint, text: opened.message)
    }

    /// Opens `chat` off the engine's actor (up to one RSA private-key operation per `symm_keys` entry): the UI's
    /// calls into the engine are not held up meanwhile. Frames stay in order: the reader awaits each one.
    @concurrent
    private nonisolated static func open(_ chat: ChatData, with key: RSAPrivateKey, limits: ProtocolLimits) async
        -> Result<OpenedChat, ProtocolError>
    {
        do {
            return .success(try ChatCipher.open(chat, with: key, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    // MARK: Shared steps

    /// Checks and records `counter` for `sender` (persisted before the message is shown).
    private func acceptCounter(_ counter: UInt64, from sender: String) async -> Bool {
        do {
            try peerCounters.accept(counter, from: sender)
        } catch {
            drop(.replayed, "\(error)")
            return false
        }
        do {
            try await store.savePeerCounter(counter, from: sender)
        } catch {
            logger.warning("cannot persist a peer counter", metadata: ["error": "\(error)"])
        }
        return true
    }

    private func storeIncoming(
        conversation: String, kind: ConversationKind, participants: [String], sender: String, text: String
    ) async {
        do {
            let record = try await store.insertMessage(
                conversation: conversation, kind: kind, participants: participants, direction: .incoming,
                sender: sender, text: text, status: .verified, file: FileLinkDetector.link(in: text), at: Date())
            events.publish(.message(record))
        } catch {
            logger.error("cannot store a received message", metadata: ["error": "\(error)"])
        }
    }
}
