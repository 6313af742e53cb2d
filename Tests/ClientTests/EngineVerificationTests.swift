import OlafTestSupport
import Core
import Foundation
import Logging
import OlafCrypto
import Testing

@testable import Client

/// What the engine refuses to show, fed frames directly as a hostile or broken server could deliver them (a real
/// olafd already drops most of these, so they are injected behind it).
@Suite("Client engine: verification of received frames", .timeLimit(.minutes(2)))
struct EngineVerificationTests {
    let me = try! TestKeys.user()
    let mallory = try! TestKeys.user()
    let eve = try! TestKeys.user()
    let server = "127.0.0.1:1"

    func openEngine(storePath: String) async throws -> ClientEngine {
        var logger = Logger(label: "verification-test")
        logger.logLevel = .critical
        return try await ClientEngine.open(
            key: me, store: try ClientStore(path: storePath),
            configuration: EngineConfiguration(home: try ServerAddress(parsing: server)), logger: logger)
    }

    func listFrame(_ keys: [RSAPublicKey]) -> String {
        OlafMessage.clientList(ClientList(servers: [ClientList.Server(address: server, clients: keys)])).text
    }

    func publicFrame(_ text: String, counter: UInt64, claimed: RSAPrivateKey, signer: RSAPrivateKey) throws -> String {
        let payload = SignedPayload.publicChat(PublicChatData(sender: claimed.publicKey.fingerprint, message: text))
        return OlafMessage.signed(try SignedEnvelope.sign(payload, counter: counter, with: signer)).text
    }

    func chatFrame(_ text: String, counter: UInt64, from sender: RSAPrivateKey, signer: RSAPrivateKey) throws -> String
    {
        let chat = try ChatCipher.seal(
            text, from: sender.publicKey, to: [ChatRecipient(publicKey: me.publicKey, homeServer: server)])
        return OlafMessage.signed(try SignedEnvelope.sign(.chat(chat), counter: counter, with: signer)).text
    }

    /// `frame` with its `data` string passed through `change` (signature left as it was).
    func tampered(_ frame: String, _ change: (String) -> String) throws -> String {
        guard case .object(var object) = try JSONParser.parse(frame), let data = object["data"]?.stringValue else {
            throw ProtocolError.missingField("data")
        }
        object["data"] = .string(change(data))
        return JSONWriter.compact(.object(object))
    }

    @Test("replayed, older, tampered, mis-signed and unknown-sender frames are not shown; the good ones are")
    func refusals() async throws {
        let path = EngineHarness.temporaryStorePath()
        let engine = try await openEngine(storePath: path)
        await engine.handleInbound(listFrame([mallory.publicKey, eve.publicKey, me.publicKey]))

        let good = try publicFrame("genuine", counter: 10, claimed: mallory, signer: mallory)
        await engine.handleInbound(good)
        await engine.handleInbound(good)  // replay
        await engine.handleInbound(try publicFrame("older", counter: 5, claimed: mallory, signer: mallory))
        let altered = try tampered(try publicFrame("original", counter: 11, claimed: mallory, signer: mallory)) {
            $0.replacingOccurrences(of: "original", with: "altered!")
        }
        await engine.handleInbound(altered)
        await engine.handleInbound(try publicFrame("impersonation", counter: 12, claimed: eve, signer: mallory))

        let chat = try chatFrame("secret", counter: 13, from: mallory, signer: mallory)
        await engine.handleInbound(chat)
        await engine.handleInbound(chat)  // replay
        await engine.handleInbound(try chatFrame("forged sender", counter: 14, from: eve, signer: mallory))
        await engine.handleInbound(
            try tampered(try chatFrame("flipped", counter: 15, from: mallory, signer: mallory)) { data in
                // Change one base64 character of the ciphertext: AES-GCM no longer authenticates.
                guard let range = data.range(of: "\"chat\": \"") else { return data }
                var copy = data
                let index = range.upperBound
                copy.replaceSubrange(index...index, with: copy[index] == "A" ? "B" : "A")
                return copy
            })
        // v1.1 object data cannot be verified.
        let objectData = good.replacingOccurrences(of: "\"data\":\"", with: "\"data\":").replacingOccurrences(
            of: "\\\"", with: "\"")
        await engine.handleInbound(objectData)
        // Our own key coming back is not shown as someone else's message.
        await engine.handleInbound(try publicFrame("echo", counter: 1, claimed: me, signer: me))

        let shownPublic = try await engine.store.messages(in: ConversationID.publicChannel).map(\.text)
        #expect(shownPublic == ["genuine"])
        let direct = ConversationID.chat(participants: [me.publicKey.fingerprint, mallory.publicKey.fingerprint])
        #expect(try await engine.store.messages(in: direct).map(\.text) == ["secret"])
        let drops = await engine.snapshot().drops
        #expect(drops[.replayed] == 3)
        #expect((drops[.badSignature] ?? 0) + (drops[.senderMismatch] ?? 0) >= 3)
        #expect(drops[.notForUs] == 1)
        #expect(drops[.malformed] == 1)
        #expect(drops[.ownEcho] == 1)

        // After a restart the per-sender counters are still known: the old frame is still a replay.
        let restarted = try await openEngine(storePath: path)
        await restarted.handleInbound(listFrame([mallory.publicKey]))
        await restarted.handleInbound(good)
        #expect(try await restarted.store.messages(in: ConversationID.publicChannel).count == 1)
        #expect(await restarted.snapshot().drops[.replayed] == 1)
    }

    @Test("a frame from a sender not listed yet waits for the next list, then is shown or dropped")
    func unknownSender() async throws {
        let engine = try await openEngine(storePath: EngineHarness.temporaryStorePath())
        await engine.handleInbound(listFrame([eve.publicKey]))
        await engine.handleInbound(try publicFrame("early", counter: 1, claimed: mallory, signer: mallory))
        #expect(try await engine.store.messages(in: ConversationID.publicChannel).isEmpty)
        await engine.handleInbound(listFrame([eve.publicKey, mallory.publicKey]))
        #expect(try await engine.store.messages(in: ConversationID.publicChannel).map(\.text) == ["early"])

        let stranger = try TestKeys.user()
        await engine.handleInbound(try publicFrame("who?", counter: 1, claimed: stranger, signer: stranger))
        await engine.handleInbound(listFrame([eve.publicKey]))
        #expect(await engine.snapshot().drops[.unknownSender] == 1)
        #expect(try await engine.store.messages(in: ConversationID.publicChannel).count == 1)
    }

    @Test("a sender fingerprint in hex or 64-column spelling still verifies against the listed key")
    func fingerprintVariants() async throws {
        let engine = try await openEngine(storePath: EngineHarness.temporaryStorePath())
        await engine.handleInbound(listFrame([mallory.publicKey]))
        let digest = SHA256Hasher.hash(utf8: mallory.publicKey.canonicalPEM)
        let hex = digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let payload = SignedPayload.publicChat(PublicChatData(sender: hex, message: "hex sender"))
        await engine.handleInbound(OlafMessage.signed(try SignedEnvelope.sign(payload, counter: 3, with: mallory)).text)
        let shown = try await engine.store.messages(in: ConversationID.publicChannel)
        #expect(shown.map(\.sender) == [mallory.publicKey.fingerprint])
    }
}
