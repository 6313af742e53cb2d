import OlafCrypto
import Testing

@Suite("RSA-PSS signatures")
struct SignatureTests {
    let message = Array("the signed bytes".utf8)

    @Test("a signature verifies with the signer's key and only over the signed bytes")
    func signAndVerify() throws {
        let signature = try sharedGeneratedKey.signPSS(message)
        #expect(signature.count == 256)
        #expect(sharedGeneratedKey.publicKey.isValidPSSSignature(signature, for: message))
        #expect(!sharedGeneratedKey.publicKey.isValidPSSSignature(signature, for: message + [0x20]))
        #expect(!sharedGeneratedKey.publicKey.isValidPSSSignature(signature, for: []))
    }

    @Test("every single-bit flip of a signature is rejected", arguments: [0, 1, 100, 200, 255])
    func tamperedSignature(byte: Int) throws {
        var signature = try sharedGeneratedKey.signPSS(message)
        signature[byte] ^= 0x01
        #expect(!sharedGeneratedKey.publicKey.isValidPSSSignature(signature, for: message))
    }

    @Test("a signature by another key, or of the wrong length, is rejected")
    func otherKey() throws {
        let python = try Fixtures.pythonPrivateKey()
        let signature = try python.signPSS(message)
        #expect(python.publicKey.isValidPSSSignature(signature, for: message))
        #expect(!sharedGeneratedKey.publicKey.isValidPSSSignature(signature, for: message))
        #expect(!python.publicKey.isValidPSSSignature(Array(signature.dropLast()), for: message))
        #expect(!python.publicKey.isValidPSSSignature([], for: message))
        #expect(!python.publicKey.isValidPSSSignature([UInt8](repeating: 0xFF, count: 256), for: message))
    }

    @Test("signatures made with other salt lengths (maximum, zero) by Python verify (interop rule 1)")
    func anySaltLength() throws {
        let key = try Fixtures.pythonPrivateKey().publicKey
        // Made with Python cryptography, salt_length=PSS.MAX_LENGTH (222 bytes) and 0.
        let maxSalt =
            "CsBY1tN5dAsEstb4knMW6wJkbi0t8Wx20X2yUzbCbmUsHuK29KmOeP5EgHewvRoIt0VK/QNn9gxdR5ohsver84Th0xtR3J15VGO/tWkX78NgNBISbJROibLuxhvZCW2fTVmbWF+P1RM7Z3S0oRH1Uni/Y8hkm6pYZ4OPkfzwGUjikqkmCo1CC2FHpgtMEe87A5q0Y1rcQHCtBRihQcDNB4dwUAeVn0TtTKyRsLZeTqsp/hyETnBVwiCHlIFqP8pQEJJWFrGTvfU6Y1vqmG+uM+Dji+7lAdldc1JJ8RCx5h2nyUeVCE9WPkNwSizLH1Jx2R9zc/UR8Ee0OBBv2wl3vw=="
        let zeroSalt =
            "zcNpSJuvn52ncpSKlGWUBT/5GacYcUkPgCp55tXCAxCVK5eT5mjMKktdRFfhOZvbyKXKxgErCWN198OoMH/2TXQCMUxzs0dlxenooHO7IZbUnwtej5DP377P2dVgSuhp6siklsyQanoiB9j2VAWgksT8Xqu7gT5a1Z+9WlaDaHAdFbYalb3DvV1jLmW8Bn9uAib4+35u4yU76dThllP2x+dGwf1aYLNgjt4yG3Uw1JTCh8fdu5fwq877gmQ6wihPlEXeEA7/EhEXB5JwB2p75sH3bF3uME/t4zQOXNbsnPnB6rT9fMR1KfNf0O2SSHzzJmhf8MSosKqbFLSjQ+PuRQ=="
        #expect(key.isValidPSSSignature(Base64.decode(maxSalt)!, for: Array("max salt message".utf8)))
        #expect(key.isValidPSSSignature(Base64.decode(zeroSalt)!, for: Array("zero salt message".utf8)))
        #expect(!key.isValidPSSSignature(Base64.decode(maxSalt)!, for: Array("zero salt message".utf8)))
    }

    @Test("a digest of the wrong length is refused when signing and never verifies")
    func digestLength() throws {
        #expect(throws: CryptoError.self) { try sharedGeneratedKey.signPSS(sha256Digest: [1, 2, 3]) }
        let signature = try sharedGeneratedKey.signPSS(message)
        #expect(!sharedGeneratedKey.publicKey.isValidPSSSignature(signature, sha256Digest: [1, 2, 3]))
    }

    @Test("one parsed key verifies correctly from many tasks at once")
    func concurrentVerification() async throws {
        let key = sharedGeneratedKey
        let signature = try key.signPSS(message)
        let message = self.message
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    // Every other task checks a tampered message, so a pooled context that kept state would show.
                    let bytes = index % 2 == 0 ? message : message + [UInt8(index)]
                    return key.publicKey.isValidPSSSignature(signature, for: bytes) == (index % 2 == 0)
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0 })
    }
}
