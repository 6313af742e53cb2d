import Core
import OlafCrypto
import Testing

/// Interop, direction 1: we read what an independent implementation (Python `cryptography`) wrote.
@Suite("Interop: the Python implementation's vectors")
struct PythonVectorsTests {
    let vectors: JSONObject
    let key: RSAPrivateKey

    init() throws {
        vectors = try Fixtures.pythonVectors()
        key = try Fixtures.pythonKey()
    }

    private func messages(_ name: String) -> [JSONObject] {
        (vectors[name]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    private func frame(_ entry: JSONObject) -> String {
        JSONWriter.compact(entry["message"] ?? .null)
    }

    @Test("the key's canonical PEM and fingerprint match the file")
    func keyAndFingerprint() throws {
        let keyObject = try #require(vectors["key"]?.objectValue)
        #expect(key.publicKey.canonicalPEM == keyObject["public_pem"]?.stringValue)
        #expect(key.publicKey.fingerprint == keyObject["fingerprint"]?.stringValue)
    }

    @Test("every fingerprint case (other PEM layouts) reproduces")
    func fingerprintCases() throws {
        let cases = messages("fingerprint_cases")
        #expect(cases.count == 3)
        for entry in cases {
            let pem = try #require(entry["public_pem"]?.stringValue)
            #expect(try RSAPublicKey(pem: pem).fingerprint == entry["fingerprint"]?.stringValue)
        }
    }

    @Test("every signed message decodes and verifies over the exact received data string")
    func messagesVerify() throws {
        let entries = messages("messages")
        #expect(entries.map { $0["name"]?.stringValue } == ["hello", "public_chat", "public_chat_unicode", "chat"])
        var tracker = CounterTracker()
        for entry in entries {
            guard case .signed(let envelope) = try OlafMessageDecoder.decode(frame(entry)) else {
                Issue.record("not a signed frame")
                continue
            }
            try envelope.verifySignature(with: key.publicKey)
            try tracker.accept(envelope.counter, from: key.publicKey.fingerprint)
        }
        #expect(tracker.lastAccepted[key.publicKey.fingerprint] == 12348)
    }

    @Test("the hello carries the signer's own key, and public_chat senders match the signer")
    func helloAndSender() throws {
        let fingerprints = SenderFingerprints(of: key.publicKey)
        for entry in messages("messages") {
            guard case .signed(let envelope) = try OlafMessageDecoder.decode(frame(entry)) else { continue }
            switch envelope.payload {
            case .hello(let hello): #expect(hello.publicKey == key.publicKey)
            case .publicChat(let chat): try chat.checkSender(against: fingerprints)
            default: break
            }
        }
    }

    @Test("the unicode public_chat keeps every character")
    func unicodeMessage() throws {
        let entry = try #require(messages("messages").first { $0["name"]?.stringValue == "public_chat_unicode" })
        guard case .signed(let envelope) = try OlafMessageDecoder.decode(frame(entry)),
            case .publicChat(let chat) = envelope.payload
        else { Issue.record("not a public_chat"); return }
        #expect(chat.message == "h\u{e9}llo \u{2713} \u{65e5}\u{672c} \u{1F600} \"quoted\" \\ back")
    }

    @Test("the chat decrypts to the expected participants and message, and its sender verifies")
    func chatDecrypts() throws {
        let entry = try #require(messages("messages").first { $0["name"]?.stringValue == "chat" })
        guard case .signed(let envelope) = try OlafMessageDecoder.decode(frame(entry)),
            case .chat(let chat) = envelope.payload
        else { Issue.record("not a chat"); return }
        let opened = try ChatCipher.open(chat, with: key)
        #expect(opened.message == entry["expected_message"]?.stringValue)
        #expect(opened.participants == entry["expected_participants"]?.arrayValue?.compactMap(\.stringValue))
        #expect(!opened.wasWrapped)
        try opened.checkSigned(envelope, by: key.publicKey)
        #expect(chat.iv == Base64.decode(entry["iv_b64"]?.stringValue ?? ""))
        #expect(chat.destinations == [try ServerAddress(parsing: "127.0.0.1:4001")])
    }

    @Test("every negative case is refused")
    func negativesRejected() throws {
        let negatives = messages("negative")
        #expect(negatives.count == 4)
        for entry in negatives {
            let name = entry["name"]?.stringValue ?? "?"
            guard case .signed(let envelope) = try OlafMessageDecoder.decode(frame(entry)) else {
                Issue.record("\(name): not a signed frame")
                continue
            }
            #expect(!envelope.isSigned(by: key.publicKey), "\(name) verified but must not")
            #expect(protocolError { try envelope.verifySignature(with: key.publicKey) } == .badSignature, "\(name)")
        }
    }

    @Test(
        "flipping one byte of a signature or of the chat ciphertext makes verification fail", arguments: [0, 1, 2, 3])
    func tamperedVectorsFail(index: Int) throws {
        let entry = messages("messages")[index]
        var message = try #require(entry["message"]?.objectValue)
        let signature = try #require(Base64.decode(message["signature"]?.stringValue ?? ""))
        var flipped = signature
        flipped[17] ^= 0x04
        message["signature"] = .string(Base64.encode(flipped))
        guard case .signed(let envelope) = try OlafMessageDecoder.decode(JSONWriter.compact(.object(message))) else { return }
        #expect(!envelope.isSigned(by: key.publicKey))

        guard case .chat(let chat) = envelope.payload else { return }
        var ciphertext = chat.ciphertext
        ciphertext[0] ^= 0x01
        let tampered = try ChatData(
            destinationServers: chat.destinationServers, iv: chat.iv, symmKeys: chat.symmKeys,
            ciphertext: ciphertext)
        #expect(protocolError { _ = try ChatCipher.open(tampered, with: key) } == .notForUs)
    }
}
