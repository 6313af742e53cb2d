import Core
import OlafCrypto
import Testing

@Suite("Signed envelopes: building, layout, verification")
struct EnvelopeTests {
    let alice = TestKeys.alice

    @Test("a signed hello round-trips through its frame text and verifies")
    func helloRoundTrip() throws {
        let envelope = try SignedEnvelope.sign(.hello(HelloData(publicKey: alice.publicKey)), counter: 7, with: alice)
        guard case .signed(let decoded) = try OlafMessageDecoder.decode(OlafMessage.signed(envelope).text) else {
            Issue.record("not a signed frame")
            return
        }
        #expect(decoded == envelope)
        #expect(decoded.counter == 7)
        #expect(decoded.payload == .hello(HelloData(publicKey: alice.publicKey)))
        try decoded.verifySignature(with: alice.publicKey)
        #expect(protocolError { try decoded.verifySignature(with: TestKeys.bob.publicKey) } == .badSignature)
    }

    @Test("the data string uses Python's json.dumps layout with \\u escapes (interop rule 2)")
    func dataStringLayout() throws {
        let envelope = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: "fp", message: "h\u{e9}llo \u{1F600}")), counter: 1, with: alice)
        #expect(
            envelope.dataString == #"{"type": "public_chat", "sender": "fp", "message": "h\u00e9llo \ud83d\ude00"}"#)
        let hello = try SignedEnvelope.sign(.hello(HelloData(publicKey: alice.publicKey)), counter: 1, with: alice)
        let pemEscaped = alice.publicKey.canonicalPEM.split(separator: "\n").joined(separator: "\\n")
        #expect(hello.dataString == #"{"type": "hello", "public_key": ""# + pemEscaped + #""}"#)
    }

    @Test("the signature covers data immediately followed by the decimal counter, nothing else")
    func signedBytes() throws {
        let envelope = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: "fp", message: "m")), counter: 12345, with: alice)
        let bytes = Array((envelope.dataString + "12345").utf8)
        #expect(alice.publicKey.isValidPSSSignature(envelope.signature, for: bytes))
        #expect(
            !alice.publicKey.isValidPSSSignature(envelope.signature, for: Array((envelope.dataString + " 12345").utf8)))
        #expect(SignedEnvelope.signedDigest(data: envelope.dataString, counter: 12345) == SHA256Hasher.hash(bytes))
    }

    @Test("verification uses the data string exactly as received: a re-spaced string does not verify")
    func exactReceivedString() throws {
        let envelope = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: "fp", message: "m")), counter: 3, with: alice)
        var frame = envelope.frameObject
        frame["data"] = .string(JSONWriter.compact(.object(envelope.payload.wireObject)))
        guard case .signed(let respaced) = try OlafMessageDecoder.decode(JSONWriter.compact(.object(frame))) else { return }
        #expect(respaced.payload == envelope.payload)
        #expect(!respaced.isSigned(by: alice.publicKey))
    }

    @Test("a frame is accepted whatever the outer key order and spacing")
    func outerLayoutIsFree() throws {
        let envelope = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: "fp", message: "m")), counter: 9, with: alice)
        let text =
            "{ \"signature\" : \"\(Base64.encode(envelope.signature))\",\n \"counter\":9, \"data\": "
            + JSONWriter.compact(.string(envelope.dataString)) + ", \"type\": \"signed_data\", \"extra\": [1, 2] }"
        guard case .signed(let decoded) = try OlafMessageDecoder.decode(text) else { return }
        try decoded.verifySignature(with: alice.publicKey)
    }

    @Test("object data (v1.1) is refused by default and only relayed when asked, never verifiable")
    func objectData() throws {
        let envelope = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: "fp", message: "m")), counter: 4, with: alice)
        var frame = envelope.frameObject
        frame["data"] = .object(envelope.payload.wireObject)
        let text = JSONWriter.compact(.object(frame))
        #expect(protocolError { _ = try OlafMessageDecoder.decode(text) } == .dataNotString)
        guard case .signed(let relayed) = try OlafMessageDecoder.decode(text, objectData: .acceptForRelay) else { return }
        #expect(relayed.dataWasObject)
        #expect(relayed.payload == envelope.payload)
        // Passed on in the Python json.dumps layout that senders sign (rule 2), so clients downstream can verify it.
        #expect(relayed.dataString == #"{"type": "public_chat", "sender": "fp", "message": "m"}"#)
        #expect(protocolError { try relayed.verifySignature(with: alice.publicKey) } == .dataNotString)
    }

    static let validSignature = Base64.encode([UInt8](repeating: 1, count: 256))
    static let validData = JSONValue.string(#"{"type": "public_chat", "sender": "fp", "message": "m"}"#)

    @Test(
        "counters must be non-negative integers written in digits that fit 64 bits",
        arguments: [
            ("\"5\"", "string"), ("-1", "negative"), ("1.5", "fraction"), ("1e3", "exponent"), ("true", "boolean"),
            ("null", "null"), ("18446744073709551616", "too large"),
        ])
    func badCounters(counter: String, reason: String) {
        let text =
            #"{"type":"signed_data","data":"# + JSONWriter.compact(Self.validData)
            + #","counter":"# + counter + #","signature":""# + Self.validSignature + #""}"#
        let error = protocolError { _ = try OlafMessageDecoder.decode(text) }
        switch error {
        case .invalidCounter?, .wrongType(field: "counter", _, _)?: break
        default: Issue.record("\(reason): expected a counter error, got \(String(describing: error))")
        }
    }

    @Test("counter 0 and the largest 64-bit counter are accepted")
    func counterBounds() throws {
        for counter in ["0", "18446744073709551615"] {
            let text =
                #"{"type":"signed_data","data":"# + JSONWriter.compact(Self.validData)
                + #","counter":"# + counter + #","signature":""# + Self.validSignature + #""}"#
            guard case .signed(let envelope) = try OlafMessageDecoder.decode(text) else { return }
            #expect(String(envelope.counter) == counter)
        }
    }

    @Test("malformed envelopes get precise errors")
    func malformedEnvelopes() {
        let sig = JSONValue.string(Self.validSignature)
        let cases: [([(String, JSONValue)], ProtocolError)] = [
            ([("type", "signed_data"), ("counter", 1), ("signature", sig)], .missingField("data")),
            ([("type", "signed_data"), ("data", Self.validData), ("signature", sig)], .missingField("counter")),
            ([("type", "signed_data"), ("data", Self.validData), ("counter", 1)], .missingField("signature")),
            (
                [("type", "signed_data"), ("data", Self.validData), ("counter", 1), ("signature", "%%%=")],
                .invalidBase64(field: "signature")
            ),
            (
                [("type", "signed_data"), ("data", Self.validData), ("counter", 1), ("signature", "AAAA")],
                .invalidLength(field: "signature", expected: "256 bytes (RSA-2048)", actual: 3)
            ),
            (
                [("type", "signed_data"), ("data", 5), ("counter", 1), ("signature", sig)],
                .wrongType(field: "data", expected: "a string holding a JSON object", actual: "number")
            ),
            (
                [("type", "signed_data"), ("data", "[1]"), ("counter", 1), ("signature", sig)],
                .notAnObject(field: "data")
            ),
            (
                [("type", "signed_data"), ("data", #"{"type": "nope"}"#), ("counter", 1), ("signature", sig)],
                .unknownMessageType("nope")
            ),
            (
                [("type", "signed_data"), ("data", #"{"sender": "x"}"#), ("counter", 1), ("signature", sig)],
                .missingField("data.type")
            ),
            ([("type", "shout")], .unknownMessageType("shout")),
            ([("kind", "signed_data")], .missingField("type")),
            ([("type", 3)], .wrongType(field: "type", expected: "a string", actual: "number")),
        ]
        for (members, expected) in cases {
            let error = protocolError { _ = try OlafMessageDecoder.decode(frameText(members)) }
            #expect(error == expected, "\(frameText(members))")
        }
    }

    @Test("frames that are not JSON objects, too large or too deep are refused before any work")
    func frameLevelRejections() {
        #expect(protocolError { _ = try OlafMessageDecoder.decode("[]") } == .notAnObject(field: "frame"))
        if case .malformedJSON? = protocolError({ _ = try OlafMessageDecoder.decode("{\"type\": ") }) {
        } else {
            Issue.record("truncated JSON not reported as malformed")
        }
        let limits = ProtocolLimits(maxFrameBytes: 100)
        let big = "{\"type\": \"" + String(repeating: "x", count: 200) + "\"}"
        #expect(
            protocolError { _ = try OlafMessageDecoder.decode(big, limits: limits) }
                == .frameTooLarge(limit: 100, actual: 212))
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        let deepFrame = "{\"type\": \"client_list_request\", \"x\": \(deep)}"
        #expect(protocolError { _ = try OlafMessageDecoder.decode(deepFrame) } == .malformedJSON(.tooDeep(limit: 16)))
    }

    @Test("server_hello carries a parsed address; a bad address is refused")
    func serverHello() throws {
        let address = try ServerAddress(parsing: "ws://10.0.0.27:8001/")
        let envelope = try SignedEnvelope.sign(.serverHello(ServerHelloData(sender: address)), counter: 1, with: alice)
        #expect(envelope.dataString == #"{"type": "server_hello", "sender": "10.0.0.27:8001"}"#)
        let bad = frameText([
            ("type", "signed_data"), ("data", #"{"type": "server_hello", "sender": "a b"}"#),
            ("counter", 1), ("signature", .string(Self.validSignature)),
        ])
        if case .invalidAddress(field: "data.sender", _)? = protocolError({ _ = try OlafMessageDecoder.decode(bad) }) {
        } else {
            Issue.record("bad server_hello sender accepted")
        }
    }

    @Test("a hello whose key is not RSA-2048/65537 or not a PEM is refused")
    func helloKeyValidation() {
        let frame = frameText([
            ("type", "signed_data"), ("data", #"{"type": "hello", "public_key": "not a key"}"#),
            ("counter", 1), ("signature", .string(Self.validSignature)),
        ])
        if case .invalidPublicKey(field: "data.public_key", _)? = protocolError({ _ = try OlafMessageDecoder.decode(frame) })
        {
        } else {
            Issue.record("garbage key accepted")
        }
    }

    @Test("public_chat fields are validated: empty sender, over-long message")
    func publicChatValidation() {
        let limits = ProtocolLimits(maxMessageBytes: 10)
        func frame(_ data: String) -> String {
            frameText([
                ("type", "signed_data"), ("data", .string(data)), ("counter", 1),
                ("signature", .string(Self.validSignature)),
            ])
        }
        #expect(
            protocolError {
                _ = try OlafMessageDecoder.decode(frame(#"{"type": "public_chat", "sender": "", "message": "m"}"#))
            }
                == .empty(field: "data.sender"))
        #expect(
            protocolError {
                _ = try OlafMessageDecoder.decode(
                    frame(#"{"type": "public_chat", "sender": "s", "message": "01234567890"}"#), limits: limits)
            } == .tooLong(field: "data.message", limit: 10, actual: 11))
        #expect(
            protocolError {
                _ = try OlafMessageDecoder.decode(frame(#"{"type": "public_chat", "sender": "s", "message": 5}"#))
            }
                == .wrongType(field: "data.message", expected: "a string", actual: "number"))
    }
}
