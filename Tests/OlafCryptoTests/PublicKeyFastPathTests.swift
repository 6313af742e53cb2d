import Foundation
import Testing

@testable import OlafCrypto

/// The canonical 294-byte RSA-2048 SPKI is imported straight from its modulus (`CanonicalRSASPKI`,
/// `RSAPublicKeyImporter`); everything else goes through OpenSSL's decoder (`RSAPublicKey(decodingSPKI:)`).
/// Both must accept, refuse and canonicalise identically.
@Suite("RSA public keys: the canonical-DER fast path agrees with OpenSSL's decoder")
struct PublicKeyFastPathTests {
    /// A dozen fresh keys plus the shared and the Python vectors' key.
    static let keys: [RSAPrivateKey] = {
        do {
            var keys = try (0..<12).map { _ in try RSAPrivateKey.generate() }
            keys.append(sharedGeneratedKey)
            keys.append(try Fixtures.pythonPrivateKey())
            return keys
        } catch {
            fatalError("key setup failed: \(error)")
        }
    }()

    let message = Array("hello from a freshly parsed key".utf8)

    /// What `RSAPublicKey(spkiDER:)` makes of `der`: the canonical DER, or the error.
    private func outcome(_ der: [UInt8]) -> Result<[UInt8], CryptoError> {
        do { return .success(try RSAPublicKey(spkiDER: der).spkiDER) } catch { return .failure(error) }
    }

    /// The same through OpenSSL's decoder only.
    private func decoderOutcome(_ der: [UInt8]) -> Result<[UInt8], CryptoError> {
        do { return .success(try RSAPublicKey(decodingSPKI: der).spkiDER) } catch { return .failure(error) }
    }

    @Test("fast and decoder paths give byte-identical DER, PEM and fingerprint, and the key verifies and encrypts")
    func identicalResults() throws {
        for privateKey in Self.keys {
            let der = privateKey.publicKey.spkiDER
            #expect(CanonicalRSASPKI.modulus(in: der) != nil, "a generated key's DER must take the fast path")
            let fast = try RSAPublicKey(spkiDER: der)
            let decoded = try RSAPublicKey(decodingSPKI: der)
            #expect(fast.spkiDER == der)
            #expect(fast.spkiDER == decoded.spkiDER)
            #expect(fast.canonicalPEM == decoded.canonicalPEM)
            #expect(fast.fingerprint == decoded.fingerprint)
            #expect(fast.fingerprint == Base64.encode(SHA256Hasher.hash(utf8: fast.canonicalPEM)))
            #expect(fast == decoded && fast.hashValue == decoded.hashValue && Set([fast, decoded]).count == 1)
            #expect(try RSAPublicKey(pem: fast.canonicalPEM).fingerprint == decoded.fingerprint)

            let signature = try privateKey.signPSS(message)
            #expect(fast.isValidPSSSignature(signature, for: message))
            #expect(!fast.isValidPSSSignature(signature, for: message + [0]))
            let secret = try SecureRandom.bytes(16)
            #expect(try privateKey.decryptOAEP(fast.encryptOAEP(secret)) == secret)
        }
    }

    @Test("the layout is the one `openssl pkey -pubout -outform DER` writes for RSA-2048, e = 65537")
    func layoutMatchesOpenSSL() throws {
        let der = Self.keys[0].publicKey.spkiDER
        #expect(der.count == CanonicalRSASPKI.length)
        #expect(
            Array(der[..<33])
                == [UInt8](hex: "30820122300d06092a864886f70d01010105000382010f003082010a0282010100"))
        #expect(Array(der[289...]) == [0x02, 0x03, 0x01, 0x00, 0x01])
        // The Python implementation's canonical PEM decodes to the same layout.
        let pythonDER = try PEM.decodeBlock(Fixtures.pythonPrivateKey().publicKey.canonicalPEM)
        #expect(CanonicalRSASPKI.modulus(in: pythonDER) != nil)
    }

    @Test("one flipped modulus byte gives another key: other fingerprint, the signature no longer verifies")
    func flippedModulusByte() throws {
        let privateKey = Self.keys[1]
        let signature = try privateKey.signPSS(message)
        for position in [33, 34, 100, 200, 287] {
            var der = privateKey.publicKey.spkiDER
            der[position] ^= 0x02
            #expect(CanonicalRSASPKI.modulus(in: der) != nil)
            let mutated = try RSAPublicKey(spkiDER: der)
            #expect(mutated.spkiDER == der)
            #expect(mutated.fingerprint != privateKey.publicKey.fingerprint)
            #expect(!mutated.isValidPSSSignature(signature, for: message))
            #expect(outcome(der) == decoderOutcome(der))
        }
    }

    @Test("an even modulus (unusable, but well-formed) is treated exactly as OpenSSL's decoder treats it")
    func evenModulus() {
        var der = Self.keys[2].publicKey.spkiDER
        der[288] &= 0xFE
        #expect(CanonicalRSASPKI.modulus(in: der) != nil)
        #expect(outcome(der) == decoderOutcome(der))
        // Today both accept it (neither OpenSSL's decoder nor the policy looks at parity); it verifies nothing.
        #expect(outcome(der) == .success(der))
        #expect(!((try? RSAPublicKey(spkiDER: der))?.isValidPSSSignature(Self.signature2, for: message) ?? true))
    }

    /// A signature by `keys[2]` over `message`.
    static let signature2: [UInt8] = {
        do { return try keys[2].signPSS(Array("hello from a freshly parsed key".utf8)) } catch {
            fatalError("signing failed: \(error)")
        }
    }()

    @Test("a modulus without its top bit (not 2048 bits) takes the decoder path and is refused by the policy")
    func modulusTopBitClear() {
        var der = Self.keys[3].publicKey.spkiDER
        der[33] &= 0x7F
        #expect(CanonicalRSASPKI.modulus(in: der) == nil)
        guard case .failure(.unsupportedKey) = outcome(der) else {
            Issue.record("expected unsupportedKey, got \(outcome(der))")
            return
        }
        #expect(outcome(der) == decoderOutcome(der))
    }

    @Test("trailing bytes, truncation or another exponent in the canonical frame are refused as before")
    func brokenFrames() {
        let der = Self.keys[4].publicKey.spkiDER
        var otherExponent = der
        otherExponent[293] = 0x03  // e = 65539
        var exponentThree = der
        exponentThree.replaceSubrange(289..., with: [0x02, 0x03, 0x00, 0x00, 0x03])  // non-minimal INTEGER 3
        let cases: [(name: String, der: [UInt8], refusal: String)] = [
            ("trailing byte", der + [0x00], "invalidPEM"),
            ("truncated", Array(der.dropLast()), "invalidPEM"),
            ("truncated modulus", Array(der.prefix(200)), "invalidPEM"),
            ("e = 65539", otherExponent, "unsupportedKey"),
        ]
        for (name, input, refusal) in cases {
            #expect(CanonicalRSASPKI.modulus(in: input) == nil, "\(name) must not take the fast path")
            switch outcome(input) {
            case .success: Issue.record("\(name) was accepted")
            case .failure(.invalidPEM): #expect(refusal == "invalidPEM", "\(name)")
            case .failure(.unsupportedKey): #expect(refusal == "unsupportedKey", "\(name)")
            case .failure(let other): Issue.record("\(name): unexpected \(other)")
            }
        }
        #expect(CanonicalRSASPKI.modulus(in: exponentThree) == nil)
        #expect(throws: CryptoError.self) { try RSAPublicKey(spkiDER: exponentThree) }
    }

    @Test("no single-byte change to the fixed frame is taken by the fast path or accepted as another key")
    func frameMutations() {
        let der = Self.keys[5].publicKey.spkiDER
        let framePositions = Array(0..<33) + Array(289..<294)
        for position in framePositions {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var mutated = der
                mutated[position] ^= mask
                #expect(CanonicalRSASPKI.modulus(in: mutated) == nil, "byte \(position) ^ \(mask)")
                // Either refused, or OpenSSL read the same key from a sloppier encoding.
                if case .success(let canonical) = outcome(mutated) {
                    #expect(canonical == der, "byte \(position) ^ \(mask) was accepted as another key")
                }
            }
        }
    }

    @Test("non-canonical DER of the same key (parameters omitted, long-form length) comes out canonical")
    func nonCanonicalDER() throws {
        let der = Self.keys[6].publicKey.spkiDER
        let modulus = Array(der[CanonicalRSASPKI.modulusRange])
        let rsaEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        let variants: [(String, [UInt8])] = [
            ("NULL parameters omitted", spki(algorithm: rsaEncryption, modulus: modulus, exponent: [0x02, 0x03])),
            (
                "long-form exponent length",
                spki(algorithm: rsaEncryption + [0x05, 0x00], modulus: modulus, exponent: [0x02, 0x81, 0x03])
            ),
        ]
        for (name, variant) in variants {
            #expect(variant != der, "\(name)")
            #expect(CanonicalRSASPKI.modulus(in: variant) == nil, "\(name)")
            let key = try RSAPublicKey(spkiDER: variant)
            #expect(key.spkiDER == der, "\(name)")
            #expect(key.fingerprint == Self.keys[6].publicKey.fingerprint, "\(name)")
        }
        // The builder reproduces the canonical encoding itself, so the variants differ only where intended.
        #expect(spki(algorithm: rsaEncryption + [0x05, 0x00], modulus: modulus, exponent: [0x02, 0x03]) == der)
    }

    @Test("wrapped, CRLF and padded PEM layouts reach the fast path and give the canonical key")
    func pemLayouts() throws {
        let key = Self.keys[7].publicKey
        let layouts = [
            key.wrappedPEM(), key.wrappedPEM().replacingOccurrences(of: "\n", with: "\r\n"),
            "\n  " + key.wrappedPEM(lineLength: 76) + "\r\n\r\n",
        ]
        for layout in layouts {
            #expect(CanonicalRSASPKI.modulus(in: try PEM.decodeBlock(layout)) != nil)
            let parsed = try RSAPublicKey(pem: layout)
            #expect(parsed.canonicalPEM == key.canonicalPEM)
            #expect(parsed.fingerprint == key.fingerprint)
        }
    }

    @Test("many tasks parse keys at once (the importer's context pool) and all get the right keys")
    func concurrentParsing() async throws {
        let pems = Self.keys.map { $0.publicKey.canonicalPEM }
        let fingerprints = Self.keys.map { $0.publicKey.fingerprint }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<50 {
                        let index = (task + round) % pems.count
                        if (try? RSAPublicKey(pem: pems[index]))?.fingerprint != fingerprints[index] { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    /// A SubjectPublicKeyInfo for (`modulus`, 65537) with the given AlgorithmIdentifier contents and exponent
    /// INTEGER header (tag and length bytes); every other length in DER's short/long form as needed.
    private func spki(algorithm: [UInt8], modulus: [UInt8], exponent header: [UInt8]) -> [UInt8] {
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
            let count = content.count
            let length: [UInt8] =
                count < 0x80
                ? [UInt8(count)]
                : count < 0x100 ? [0x81, UInt8(count)] : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
            return [tag] + length + content
        }
        let rsaKey = tlv(0x30, tlv(0x02, [0x00] + modulus) + header + [0x01, 0x00, 0x01])
        return tlv(0x30, tlv(0x30, algorithm) + tlv(0x03, [0x00] + rsaKey))
    }
}
