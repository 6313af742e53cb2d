import Core
import OlafCrypto
import Testing

@Suite("Chat sealing, opening and chat field validation")
struct ChatTests {
    let alice = TestKeys.alice, bob = TestKeys.bob, carol = TestKeys.carol

    @Test("a direct chat opens for its recipient with sender and message")
    func directChat() throws {
        let chat = try ChatCipher.seal(
            "hi bob", from: alice.publicKey,
            to: [ChatRecipient(publicKey: bob.publicKey, homeServer: "10.0.0.2:8001")])
        #expect(chat.destinationServers == ["10.0.0.2:8001"])
        #expect(chat.iv.count == 16 && chat.symmKeys.count == 1 && chat.symmKeys[0].count == 256)
        let opened = try ChatCipher.open(chat, with: bob)
        #expect(opened.message == "hi bob")
        #expect(opened.sender == alice.publicKey.fingerprint)
        #expect(opened.participants == [alice.publicKey.fingerprint, bob.publicKey.fingerprint])
        #expect(protocolError { _ = try ChatCipher.open(chat, with: carol) } == .notForUs)
        // The sender is not a recipient: it cannot open its own message.
        #expect(protocolError { _ = try ChatCipher.open(chat, with: alice) } == .notForUs)
    }

    @Test("a group chat opens for every recipient, whichever symm_keys slot is theirs")
    func groupChat() throws {
        let recipients = [
            ChatRecipient(publicKey: bob.publicKey, homeServer: "a:1"),
            ChatRecipient(publicKey: carol.publicKey, homeServer: "b:2"),
        ]
        let chat = try ChatCipher.seal("hello group \u{1F600}", from: alice.publicKey, to: recipients)
        for key in [bob, carol] {
            let opened = try ChatCipher.open(chat, with: key)
            #expect(opened.message == "hello group \u{1F600}")
            #expect(opened.participants.count == 3)
        }
    }

    @Test("the signed envelope of a chat verifies against the sender named inside it")
    func envelopeSender() throws {
        let chat = try ChatCipher.seal(
            "x", from: alice.publicKey, to: [ChatRecipient(publicKey: bob.publicKey, homeServer: "a:1")])
        let envelope = try SignedEnvelope.sign(.chat(chat), counter: 5, with: alice)
        let opened = try ChatCipher.open(chat, with: bob)
        try opened.checkSigned(envelope, by: alice.publicKey)
        // Carol's key is not the one participants[0] names.
        #expect(protocolError { try opened.checkSigned(envelope, by: carol.publicKey) } == .senderMismatch)
        // Signed by carol while claiming to be alice: the signature check fails.
        let forged = try SignedEnvelope.sign(.chat(chat), counter: 5, with: carol)
        #expect(protocolError { try opened.checkSigned(forged, by: alice.publicKey) } == .badSignature)
    }

    /// Builds a chat by hand with a chosen plaintext, encrypted to bob.
    private func handmade(_ plaintext: String) throws -> ChatData {
        let aesKey = try SecureRandom.bytes(16), iv = try SecureRandom.bytes(16)
        return try ChatData(
            destinationServers: ["a:1"], iv: iv, symmKeys: [bob.publicKey.encryptOAEP(aesKey)],
            ciphertext: AESGCM.seal(Array(plaintext.utf8), key: aesKey, iv: iv))
    }

    @Test("the {\"chat\": {...}} plaintext wrapper some peers emit is accepted")
    func wrappedPlaintext() throws {
        let fingerprints = "[\"\(alice.publicKey.fingerprint)\", \"\(bob.publicKey.fingerprint)\"]"
        let opened = try ChatCipher.open(
            handmade("{\"chat\": {\"participants\": \(fingerprints), \"message\": \"w\"}}"), with: bob)
        #expect(opened.wasWrapped && opened.message == "w")
    }

    @Test("a chat that decrypts but does not list us is refused")
    func notAParticipant() throws {
        let plaintext =
            "{\"participants\": [\"\(alice.publicKey.fingerprint)\", \"\(carol.publicKey.fingerprint)\"], \"message\": \"m\"}"
        #expect(protocolError { _ = try ChatCipher.open(handmade(plaintext), with: bob) } == .notAParticipant)
    }

    @Test("our fingerprint is recognised in the hex spelling some peers use")
    func hexParticipant() throws {
        let hex = SHA256Hasher.hash(utf8: bob.publicKey.canonicalPEM).map { String(format2: $0) }.joined()
        let plaintext = "{\"participants\": [\"\(alice.publicKey.fingerprint)\", \"\(hex)\"], \"message\": \"m\"}"
        #expect(try ChatCipher.open(handmade(plaintext), with: bob).message == "m")
    }

    @Test(
        "malformed plaintexts are refused with field errors",
        arguments: [
            (#"{"participants": [], "message": "m"}"#, ProtocolError.empty(field: "chat.participants")),
            (
                #"{"participants": "x", "message": "m"}"#,
                .wrongType(field: "chat.participants", expected: "an array", actual: "string")
            ),
            (#"{"participants": ["x"]}"#, .missingField("chat.message")),
            (#"{"message": "m"}"#, .missingField("chat.participants")),
            (#"[1]"#, .notAnObject(field: "chat plaintext")),
        ])
    func malformedPlaintext(plaintext: String, expected: ProtocolError) throws {
        let chat = try handmade(plaintext)
        #expect(protocolError { _ = try ChatCipher.open(chat, with: bob) } == expected)
    }

    @Test("sealing refuses no recipients, too many recipients and over-long messages")
    func sealLimits() {
        let limits = ProtocolLimits(maxMessageBytes: 4, maxRecipients: 1)
        let one = ChatRecipient(publicKey: bob.publicKey, homeServer: "a:1")
        #expect(
            protocolError { _ = try ChatCipher.seal("m", from: alice.publicKey, to: []) } == .empty(field: "recipients")
        )
        #expect(
            protocolError { _ = try ChatCipher.seal("m", from: alice.publicKey, to: [one, one], limits: limits) }
                == .tooMany(field: "recipients", limit: 1, actual: 2))
        #expect(
            protocolError { _ = try ChatCipher.seal("12345", from: alice.publicKey, to: [one], limits: limits) }
                == .tooLong(field: "message", limit: 4, actual: 5))
    }

    static let key256 = JSONValue.string(Base64.encode([UInt8](repeating: 9, count: 256)))
    static let iv16 = JSONValue.string(Base64.encode([UInt8](repeating: 1, count: 16)))
    static let body = JSONValue.string(Base64.encode([UInt8](repeating: 2, count: 40)))

    private func chatObject(
        destinations: JSONValue = ["a:1"], iv: JSONValue = iv16, keys: JSONValue = [key256],
        chat: JSONValue = body
    ) -> JSONObject {
        ["type": "chat", "destination_servers": destinations, "iv": iv, "symm_keys": keys, "chat": chat]
    }

    @Test("chat fields are validated with precise errors")
    func chatValidation() {
        let shortIV = JSONValue.string(Base64.encode([UInt8](repeating: 1, count: 12)))
        let cases: [(JSONObject, ProtocolError)] = [
            (chatObject(iv: shortIV), .invalidLength(field: "data.iv", expected: "16 bytes", actual: 12)),
            (chatObject(iv: "not base64!"), .invalidBase64(field: "data.iv")),
            (chatObject(destinations: [], keys: []), .empty(field: "data.destination_servers")),
            (chatObject(keys: []), .empty(field: "data.symm_keys")),
            (
                chatObject(keys: ["AAAA"]),
                .invalidLength(field: "data.symm_keys", expected: "256 bytes (RSA-2048 OAEP)", actual: 3)
            ),
            (
                chatObject(keys: [5]),
                .wrongType(field: "data.symm_keys", expected: "an array of strings", actual: "an array holding number")
            ),
            (
                chatObject(chat: "AAAA"),
                .invalidLength(field: "data.chat", expected: "at least the 16-byte tag", actual: 3)
            ),
            (
                chatObject(destinations: "a:1"),
                .wrongType(field: "data.destination_servers", expected: "an array", actual: "string")
            ),
        ]
        for (object, expected) in cases {
            #expect(protocolError { _ = try ChatData(wire: object, limits: .default) } == expected)
        }
        if case .invalidAddress(field: "data.destination_servers", _)? =
            protocolError({ _ = try ChatData(wire: chatObject(destinations: ["ftp://x"]), limits: .default) })
        {
        } else {
            Issue.record("bad destination accepted")
        }
        let tight = ProtocolLimits(maxRecipients: 1)
        #expect(
            protocolError {
                _ = try ChatData(
                    wire: chatObject(destinations: ["a:1", "b:2"], keys: [Self.key256, Self.key256]), limits: tight)
            }
                == .tooMany(field: "data.destination_servers", limit: 1, actual: 2))
        #expect(protocolError { _ = try ChatData(wire: chatObject(), limits: .default) } == nil)
    }

    @Test("destination_servers of any length relative to symm_keys is accepted and routed once per address (rule 11)")
    func destinationListLengths() throws {
        // The reference client: a group of two on one server, two keys and one destination.
        let deduplicated = try ChatData(
            wire: chatObject(destinations: ["a:1"], keys: [Self.key256, Self.key256]), limits: .default)
        #expect(deduplicated.symmKeys.count == 2)
        #expect(deduplicated.distinctDestinations == [try ServerAddress(parsing: "a:1")])
        // Per recipient with duplicates, spelled differently: still one route per address, first spelling first.
        let perRecipient = try ChatData(
            wire: chatObject(destinations: ["a:1", "ws://A:1/", "b", "b:80"], keys: [Self.key256]), limits: .default)
        #expect(perRecipient.destinationServers == ["a:1", "ws://A:1/", "b", "b:80"])
        #expect(perRecipient.distinctDestinations == [try ServerAddress(parsing: "a:1"), try ServerAddress(parsing: "b")])
    }

    @Test("sealing lists each home server once, in order of first appearance, as first spelled")
    func sealDeduplicatesHomeServers() throws {
        let recipients = [
            ChatRecipient(publicKey: bob.publicKey, homeServer: "localhost"),
            ChatRecipient(publicKey: carol.publicKey, homeServer: "other.example:9000"),
            ChatRecipient(publicKey: alice.publicKey, homeServer: "localhost:80"),
        ]
        let chat = try ChatCipher.seal("hi", from: alice.publicKey, to: recipients)
        #expect(chat.destinationServers == ["localhost", "other.example:9000"])
        #expect(chat.symmKeys.count == 3)
        #expect(try ChatCipher.open(chat, with: carol).message == "hi")
    }
}

extension String {
    /// Two lowercase hex digits of a byte.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
