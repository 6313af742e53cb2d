import Core
import OlafCrypto
import Testing

/// Interop rule 14: a server that re-encodes every `data` string into an object before passing it on. Clients
/// decode with `.verifyAsPython`: the object is re-serialised in Python's `json.dumps` layout and the envelope
/// verifies only when that reproduces the bytes the sender signed.
@Suite("Signed envelopes: object data verified over its Python re-serialisation (rule 14)")
struct ObjectDataVerificationTests {
    let alice = TestKeys.alice

    /// Written by CPython's `json.dumps` (default separators, ensure_ascii) from an object with non-ASCII text, an
    /// astral character (surrogate pair), quotes, control characters, DEL, a backslash and U+2028: the bytes a
    /// Python sender signs.
    static let pythonDumped =
        #"{"type": "public_chat", "sender": "fp/+=", "message": "h\u00e9llo \ud83d\ude00 \"q\"\n\t\u007f \\ </b> \u2028"}"#

    /// A frame whose `data` is the object parsed from `signedText`, signed over `signedText` + counter.
    func objectFrame(
        signedText: String, counter: UInt64, by key: RSAPrivateKey, change: (inout JSONObject) -> Void = { _ in }
    )
        throws -> String
    {
        guard case .object(var object) = try JSONParser.parse(signedText) else {
            throw ProtocolError.notAnObject(field: "data")
        }
        change(&object)
        let signature = try key.signPSS(sha256Digest: SignedEnvelope.signedDigest(data: signedText, counter: counter))
        let frame: JSONObject = [
            "type": .string("signed_data"), "data": .object(object), "counter": .number(String(counter)),
            "signature": .string(Base64.encode(signature)),
        ]
        return JSONWriter.python(.object(frame))
    }

    @Test("object data whose Python re-serialisation is what the sender signed verifies, keys in wire order")
    func pythonLayoutVerifies() throws {
        let text = try objectFrame(signedText: Self.pythonDumped, counter: 41, by: alice)
        guard case .signed(let envelope) = try OlafMessageDecoder.decode(text, objectData: .verifyAsPython) else {
            Issue.record("not a signed frame")
            return
        }
        #expect(envelope.dataSource == .objectAsPython)
        #expect(envelope.dataWasObject)
        #expect(envelope.dataString == Self.pythonDumped)
        #expect(envelope.counter == 41)
        #expect(
            envelope.payload
                == .publicChat(PublicChatData(sender: "fp/+=", message: "héllo 😀 \"q\"\n\t\u{7F} \\ </b> \u{2028}")))
        #expect(envelope.isSigned(by: alice.publicKey))
        try envelope.verifySignature(with: alice.publicKey)
        #expect(protocolError { try envelope.verifySignature(with: TestKeys.bob.publicKey) } == .badSignature)
    }

    @Test("our own signed envelopes survive a relay that turns data into an object")
    func ownEnvelopesSurvive() throws {
        let chat = try ChatCipher.seal(
            "grüße 👋", from: alice.publicKey,
            to: [ChatRecipient(publicKey: TestKeys.bob.publicKey, homeServer: "127.0.0.1:1")])
        let envelope = try SignedEnvelope.sign(.chat(chat), counter: 7, with: alice)
        let text = try objectFrame(signedText: envelope.dataString, counter: 7, by: alice)
        guard case .signed(let decoded) = try OlafMessageDecoder.decode(text, objectData: .verifyAsPython) else {
            Issue.record("not a signed frame")
            return
        }
        #expect(decoded.payload == envelope.payload)
        try ChatCipher.open(chat, with: TestKeys.bob).checkSigned(decoded, by: alice.publicKey)
    }

    @Test("tampered object data does not verify: a changed value, reordered keys, a compact-signed sender")
    func tamperedRefused() throws {
        let changed = try objectFrame(signedText: Self.pythonDumped, counter: 1, by: alice) {
            $0["message"] = .string("something else")
        }
        let reordered = try objectFrame(signedText: Self.pythonDumped, counter: 2, by: alice) {
            let type = $0.removeValue(forKey: "type")
            $0["type"] = type
        }
        // A sender that signed the compact layout: the object's Python layout is not what it signed.
        let compact = #"{"type":"public_chat","sender":"fp","message":"m"}"#
        let compactSigned = try objectFrame(signedText: compact, counter: 3, by: alice)
        for text in [changed, reordered, compactSigned] {
            guard case .signed(let envelope) = try OlafMessageDecoder.decode(text, objectData: .verifyAsPython) else {
                Issue.record("not a signed frame")
                continue
            }
            #expect(!envelope.isSigned(by: alice.publicKey))
            #expect(protocolError { try envelope.verifySignature(with: alice.publicKey) } == .badSignature)
        }
    }

    @Test("the other policies are unchanged: refused by default, relay copies never verify")
    func otherPoliciesUnchanged() throws {
        let text = try objectFrame(signedText: Self.pythonDumped, counter: 5, by: alice)
        #expect(protocolError { _ = try OlafMessageDecoder.decode(text) } == .dataNotString)
        guard case .signed(let relayed) = try OlafMessageDecoder.decode(text, objectData: .acceptForRelay) else {
            Issue.record("not a signed frame")
            return
        }
        #expect(relayed.dataSource == .objectForRelay)
        #expect(!relayed.isSigned(by: alice.publicKey))
        // The relay copy carries the Python layout: passed on as a string, a client verifies it as received.
        #expect(relayed.dataString == Self.pythonDumped)
        let passedOn = OlafMessage.signed(relayed).text
        guard case .signed(let downstream) = try OlafMessageDecoder.decode(passedOn) else {
            Issue.record("relay copy not a signed frame")
            return
        }
        #expect(downstream.isSigned(by: alice.publicKey))
        #expect(protocolError { try relayed.verifySignature(with: alice.publicKey) } == .dataNotString)
    }

    @Test("a re-serialisation longer than the frame cap is refused")
    func reserialisationCapped() throws {
        // 2,000 non-ASCII characters: 4,000 bytes as UTF-8 in the frame, 12,000 as \uXXXX escapes.
        let long =
            #"{"type": "public_chat", "sender": "fp", "message": ""#
            + String(repeating: "\\u00e9", count: 2000) + #""}"#
        let text = try objectFrame(signedText: long, counter: 6, by: alice)
        var limits = ProtocolLimits.default
        limits.maxFrameBytes = 8000
        let compactFrame = JSONWriter.compact(try JSONParser.parse(text))
        #expect(compactFrame.utf8.count < 8000)
        #expect(
            protocolError { _ = try OlafMessageDecoder.decode(compactFrame, limits: limits, objectData: .verifyAsPython) }
                == .frameTooLarge(limit: 8000, actual: long.utf8.count))
    }
}
