import Foundation
import OlafCrypto
import Testing

@Suite("RSA keys: generation, PEM, fingerprint, key policy")
struct RSAKeyTests {
    @Test("generated keys are RSA-2048 and their PEM is in the canonical one-line layout")
    func generatedKeyIsCanonical() throws {
        let publicKey = sharedGeneratedKey.publicKey
        let lines = publicKey.canonicalPEM.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines.first == "-----BEGIN PUBLIC KEY-----")
        #expect(lines.last == "-----END PUBLIC KEY-----")
        #expect(!publicKey.canonicalPEM.hasSuffix("\n"))
        // 294 bytes of SPKI DER for RSA-2048 with e = 65537.
        #expect(publicKey.spkiDER.count == 294)
        #expect(Base64.decode(String(lines[1])) == publicKey.spkiDER)
        #expect(Base64.decode(publicKey.fingerprint)?.count == 32)
        #expect(publicKey.fingerprint == Base64.encode(SHA256Hasher.hash(utf8: publicKey.canonicalPEM)))
    }

    @Test("two generated keys differ")
    func keysDiffer() throws {
        let other = try RSAPrivateKey.generate()
        #expect(other.publicKey != sharedGeneratedKey.publicKey)
        #expect(other.publicKey.fingerprint != sharedGeneratedKey.publicKey.fingerprint)
    }

    @Test("PEM parsing is lenient about layout and always yields the same fingerprint")
    func lenientPEM() throws {
        let key = sharedGeneratedKey.publicKey
        let layouts = [
            key.canonicalPEM,
            key.canonicalPEM + "\n",
            key.wrappedPEM(),
            key.wrappedPEM(lineLength: 76),
            key.wrappedPEM().replacingOccurrences(of: "\n", with: "\r\n"),
            "  \n" + key.wrappedPEM(lineLength: 10) + "\n\n",
        ]
        for layout in layouts {
            let parsed = try RSAPublicKey(pem: layout)
            #expect(parsed.canonicalPEM == key.canonicalPEM)
            #expect(parsed.fingerprint == key.fingerprint)
            #expect(parsed == key)
        }
    }

    @Test("the wrapped layout is 64 columns with a trailing newline, like OpenSSL writes it")
    func wrappedLayout() {
        let pem = sharedGeneratedKey.publicKey.wrappedPEM()
        #expect(pem.hasSuffix("-----END PUBLIC KEY-----\n"))
        let body = pem.split(separator: "\n").dropFirst().dropLast()
        #expect(body.dropLast().allSatisfy { $0.count == 64 })
        #expect(body.last!.count <= 64)
    }

    @Test(
        "garbage, truncated or armour-less PEM is refused with invalidPEM",
        arguments: [
            "", "hello", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2Wtih6XSwVLdRFdi",
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----",
            "-----END PUBLIC KEY-----\n-----BEGIN PUBLIC KEY-----",
        ])
    func garbagePEM(text: String) {
        #expect(throws: CryptoError.self) { try RSAPublicKey(pem: text) }
        do {
            _ = try RSAPublicKey(pem: text)
        } catch {
            guard case .invalidPEM = error else {
                Issue.record("expected invalidPEM, got \(error)")
                return
            }
        }
    }

    @Test("a truncated DER body is refused")
    func truncatedDER() {
        let der = Array(sharedGeneratedKey.publicKey.spkiDER.dropLast(3))
        #expect(throws: CryptoError.self) { try RSAPublicKey(spkiDER: der) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(spkiDER: sharedGeneratedKey.publicKey.spkiDER + [0]) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(spkiDER: []) }
    }

    @Test(
        "keys that are not RSA-2048 with e = 65537 are refused",
        arguments: [
            "rsa2048-e3.pub.pem", "rsa1024.pub.pem", "rsa4096.pub.pem", "ec-p256.pub.pem", "rsa-pss-2048.pub.pem",
        ])
    func keyPolicy(fixture: String) throws {
        let pem = try Fixtures.text(fixture)
        do {
            _ = try RSAPublicKey(pem: pem)
            Issue.record("\(fixture) was accepted")
        } catch {
            guard case .unsupportedKey = error else {
                Issue.record("expected unsupportedKey for \(fixture), got \(error)")
                return
            }
        }
    }

    @Test("the Python vectors' key parses, and its fingerprint matches the independent implementation")
    func pythonKeyFingerprint() throws {
        let vectors = try Fixtures.pythonVectors()
        let key = vectors["key"] as? [String: Any]
        let privateKey = try Fixtures.pythonPrivateKey()
        #expect(privateKey.publicKey.canonicalPEM == key?["public_pem"] as? String)
        #expect(privateKey.publicKey.fingerprint == key?["fingerprint"] as? String)
    }
}
