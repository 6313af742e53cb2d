import Core
import OlafCrypto
import Testing

@Suite("Counters and sender fingerprints")
struct IdentityAndCounterTests {
    @Test("a counter must be greater than the last one accepted from the same sender")
    func replayProtection() throws {
        var tracker = CounterTracker()
        try tracker.accept(5, from: "a")
        #expect(protocolError { try tracker.accept(5, from: "a") } == .replayedCounter(last: 5, received: 5))
        #expect(protocolError { try tracker.accept(4, from: "a") } == .replayedCounter(last: 5, received: 4))
        try tracker.accept(6, from: "a")
        try tracker.accept(1, from: "b")  // senders are independent
        #expect(tracker.lastAccepted == ["a": 6, "b": 1])
    }

    @Test("check does not record; record never moves backwards; state survives a restart through lastAccepted")
    func checkRecordRestore() throws {
        var tracker = CounterTracker()
        try tracker.check(10, from: "a")
        try tracker.check(10, from: "a")
        tracker.record(10, from: "a")
        tracker.record(3, from: "a")
        #expect(tracker.lastAccepted["a"] == 10)
        let restored = CounterTracker(lastAccepted: tracker.lastAccepted)
        #expect(protocolError { try restored.check(10, from: "a") } == .replayedCounter(last: 10, received: 10))
        var reset = restored
        reset.forget("a")
        try reset.check(1, from: "a")
    }

    @Test("our own counter starts at 1 and strictly increases, also after a restore")
    func outgoingCounter() {
        var counter = OutgoingCounter()
        #expect(counter.next() == 1)
        #expect(counter.next() == 2)
        var restored = OutgoingCounter(last: counter.last)
        #expect(restored.next() == 3)
    }

    @Test("public_chat sender accepts the signer's canonical, 64-column and hex fingerprints")
    func senderVariants() throws {
        let key = TestKeys.alice.publicKey
        let fingerprints = SenderFingerprints(of: key)
        let wrapped = key.wrappedPEM()
        let digest = SHA256Hasher.hash(utf8: key.canonicalPEM)
        let hex = digest.map { String(format2: $0) }.joined()
        let accepted = [
            key.fingerprint,
            Base64.encode(SHA256Hasher.hash(utf8: wrapped)),
            Base64.encode(SHA256Hasher.hash(utf8: String(wrapped.dropLast()))),
            hex, hex.uppercased(),
            SHA256Hasher.hash(utf8: wrapped).map { String(format2: $0) }.joined(),
        ]
        for claimed in accepted {
            try PublicChatData(sender: claimed, message: "m").checkSender(against: fingerprints)
        }
        #expect(fingerprints.canonical == key.fingerprint)
    }

    @Test("the fingerprint index finds a key by every accepted spelling, and nothing else")
    func fingerprintIndex() {
        let alice = TestKeys.alice.publicKey
        let bob = TestKeys.bob.publicKey
        var index = FingerprintIndex([alice, bob, alice])
        #expect(index.count == 2)
        let wrapped = alice.wrappedPEM()
        let hex = SHA256Hasher.hash(utf8: alice.canonicalPEM).map { String(format2: $0) }.joined()
        for spelling in [
            alice.fingerprint, Base64.encode(SHA256Hasher.hash(utf8: wrapped)),
            Base64.encode(SHA256Hasher.hash(utf8: String(wrapped.dropLast()))), hex, hex.uppercased(),
        ] {
            #expect(index.key(for: spelling) == alice, "\(spelling)")
        }
        #expect(index.key(for: bob.fingerprint) == bob)
        for unknown in ["", "x", String(repeating: "0", count: 64), alice.canonicalPEM, alice.fingerprint + " "] {
            #expect(index.key(for: unknown) == nil)
        }
        index.replaceAll(with: [bob])
        #expect(index.key(for: alice.fingerprint) == nil && index.key(for: hex) == nil)
        #expect(index.key(for: bob.fingerprint) == bob && index.count == 1)
        index.remove(fingerprint: bob.fingerprint)
        #expect(
            index.count == 0 && index.key(for: bob.fingerprint) == nil && !index.contains(fingerprint: bob.fingerprint))
    }

    @Test("public_chat sender naming another key, or garbage, is a senderMismatch")
    func senderSpoofing() {
        let fingerprints = SenderFingerprints(of: TestKeys.alice.publicKey)
        let bob = TestKeys.bob.publicKey
        let spoofs = [
            bob.fingerprint, SHA256Hasher.hash(utf8: bob.canonicalPEM).map { String(format2: $0) }.joined(), "",
            "x", TestKeys.alice.publicKey.canonicalPEM,
        ]
        for claimed in spoofs {
            #expect(
                protocolError { try PublicChatData(sender: claimed, message: "m").checkSender(against: fingerprints) }
                    == .senderMismatch)
        }
    }
}
