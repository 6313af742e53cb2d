import OlafCrypto
import Testing

@Suite("RSA-OAEP and AES-128-GCM")
struct EncryptionTests {
    @Test("OAEP round trip, and only the right key decrypts")
    func oaepRoundTrip() throws {
        let secret = try SecureRandom.bytes(16)
        let wrapped = try sharedGeneratedKey.publicKey.encryptOAEP(secret)
        #expect(wrapped.count == 256)
        #expect(try sharedGeneratedKey.decryptOAEP(wrapped) == secret)
        // OAEP is randomised: the same plaintext wraps differently each time.
        #expect(try sharedGeneratedKey.publicKey.encryptOAEP(secret) != wrapped)
        let other = try Fixtures.pythonPrivateKey()
        #expect(throws: CryptoError.decryptionFailed) { try other.decryptOAEP(wrapped) }
    }

    @Test("tampered, truncated or empty OAEP ciphertexts fail with decryptionFailed")
    func oaepTampered() throws {
        var wrapped = try sharedGeneratedKey.publicKey.encryptOAEP([1, 2, 3])
        #expect(throws: CryptoError.decryptionFailed) { try sharedGeneratedKey.decryptOAEP(Array(wrapped.dropLast())) }
        #expect(throws: CryptoError.decryptionFailed) { try sharedGeneratedKey.decryptOAEP([]) }
        wrapped[128] ^= 0x80
        #expect(throws: CryptoError.decryptionFailed) { try sharedGeneratedKey.decryptOAEP(wrapped) }
    }

    @Test("OAEP plaintexts over 190 bytes are refused; exactly 190 works")
    func oaepLimit() throws {
        #expect(throws: CryptoError.self) {
            try sharedGeneratedKey.publicKey.encryptOAEP([UInt8](repeating: 7, count: 191))
        }
        let maximal = [UInt8](repeating: 7, count: 190)
        #expect(try sharedGeneratedKey.decryptOAEP(sharedGeneratedKey.publicKey.encryptOAEP(maximal)) == maximal)
    }

    @Test("AES-GCM matches Python cryptography's output (known answer, 16-byte IV)")
    func gcmKnownAnswer() throws {
        let key = Array(UInt8(0)..<16), iv = Array(UInt8(16)..<32)
        let sealed = try AESGCM.seal(Array("OLAF known answer".utf8), key: key, iv: iv)
        #expect(sealed == [UInt8](hex: "8ad2b6f05dd94ae7a176e3e3cf5c58b287f65fc4e4a12f19505c4b9d48b46f169c"))
        #expect(try AESGCM.seal([], key: key, iv: iv) == [UInt8](hex: "48e8c88eadb042bfce785187d01fbdd4"))
        #expect(try AESGCM.open(sealed, key: key, iv: iv) == Array("OLAF known answer".utf8))
        #expect(try AESGCM.open([UInt8](hex: "48e8c88eadb042bfce785187d01fbdd4"), key: key, iv: iv) == [])
    }

    @Test("AES-GCM refuses altered ciphertext, altered tag, wrong key, wrong IV and short input")
    func gcmTampering() throws {
        let key = try SecureRandom.bytes(16), iv = try SecureRandom.bytes(16)
        let sealed = try AESGCM.seal(Array(repeating: 0x41, count: 1024), key: key, iv: iv)
        #expect(sealed.count == 1024 + 16)
        for index in [0, 500, 1023, 1024, 1039] {
            var altered = sealed
            altered[index] ^= 1
            #expect(throws: CryptoError.authenticationFailed) { try AESGCM.open(altered, key: key, iv: iv) }
        }
        var otherKey = key
        otherKey[0] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try AESGCM.open(sealed, key: otherKey, iv: iv) }
        var otherIV = iv
        otherIV[15] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try AESGCM.open(sealed, key: key, iv: otherIV) }
        #expect(throws: CryptoError.authenticationFailed) {
            try AESGCM.open(Array(sealed.prefix(15)), key: key, iv: iv)
        }
    }

    @Test("AES-GCM refuses keys and IVs of the wrong size")
    func gcmSizes() {
        #expect(throws: CryptoError.self) {
            try AESGCM.seal([1], key: [UInt8](repeating: 0, count: 32), iv: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: CryptoError.self) {
            try AESGCM.seal([1], key: [UInt8](repeating: 0, count: 16), iv: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: CryptoError.self) {
            try AESGCM.open([UInt8](repeating: 0, count: 20), key: [], iv: [UInt8](repeating: 0, count: 16))
        }
    }

    @Test("secure random bytes have the requested length and do not repeat")
    func randomBytes() throws {
        #expect(try SecureRandom.bytes(0) == [])
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
    }
}
