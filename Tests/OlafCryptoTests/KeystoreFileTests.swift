import Foundation
import OlafCrypto
import OlafTestSupport
import Testing

@Suite("Encrypted PKCS#8 key files")
struct KeystoreFileTests {
    @Test("a key written with a passphrase reads back with it, and only with it")
    func roundTrip() throws {
        let pem = try sharedGeneratedKey.encryptedPKCS8PEM(passphrase: "correct horse battery staple")
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(!pem.contains("BEGIN PRIVATE KEY"))
        let read = try RSAPrivateKey(encryptedPKCS8PEM: pem, passphrase: "correct horse battery staple")
        #expect(read.publicKey == sharedGeneratedKey.publicKey)
        // The read key really is the private half: it signs what the original's public key accepts.
        let signature = try read.signPSS(Array("proof".utf8))
        #expect(sharedGeneratedKey.publicKey.isValidPSSSignature(signature, for: Array("proof".utf8)))
        #expect(throws: CryptoError.wrongPassphrase) {
            try RSAPrivateKey(encryptedPKCS8PEM: pem, passphrase: "correct horse battery stapler")
        }
        #expect(throws: CryptoError.wrongPassphrase) { try RSAPrivateKey(encryptedPKCS8PEM: pem, passphrase: "") }
    }

    @Test("truncated or garbage key files give malformedKeyFile, never a crash")
    func damagedFiles() throws {
        let pem = try sharedGeneratedKey.encryptedPKCS8PEM(passphrase: "pw-for-damage-test")
        let truncated = String(pem.prefix(pem.count / 2))
        for damaged in [truncated, "", "garbage", sharedGeneratedKey.publicKey.canonicalPEM] {
            do {
                _ = try RSAPrivateKey(encryptedPKCS8PEM: damaged, passphrase: "pw-for-damage-test")
                Issue.record("damaged file accepted")
            } catch {
                guard case .malformedKeyFile = error else {
                    Issue.record("expected malformedKeyFile, got \(error)")
                    continue
                }
            }
        }
    }

    @Test("fewer than 600,000 PBKDF2 iterations are refused")
    func iterationFloor() {
        #expect(throws: CryptoError.self) {
            try sharedGeneratedKey.encryptedPKCS8PEM(passphrase: "x", iterations: 2048)
        }
    }

    @Test("the openssl command line opens our key file: PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC")
    func opensslReadsKeystore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "olaf-keystore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.pem"), passFile = directory.appendingPathComponent("pass")
        try sharedGeneratedKey.encryptedPKCS8PEM(passphrase: "s3cret pass").write(
            to: keyFile, atomically: true, encoding: .utf8)
        try "s3cret pass".write(to: passFile, atomically: true, encoding: .utf8)

        let publicPEM = try await runOpenSSL([
            "pkey", "-in", keyFile.path, "-passin", "file:\(passFile.path)", "-pubout",
        ])
        #expect(try RSAPublicKey(pem: publicPEM) == sharedGeneratedKey.publicKey)

        let structure = try await runOpenSSL(["asn1parse", "-in", keyFile.path])
        #expect(structure.contains("PBES2"))
        #expect(structure.contains("PBKDF2"))
        #expect(structure.contains("hmacWithSHA256"))
        #expect(structure.contains("aes-256-cbc"))
        #expect(structure.contains("INTEGER           :0927C0"))  // 600000 = 0x0927C0, the iteration count
    }

    /// Runs openssl off the Swift concurrency pool (it may take a second: 600,000 PBKDF2 iterations).
    private func runOpenSSL(_ arguments: [String]) async throws -> String {
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
        #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")) failed: \(result.error)")
        return result.output
    }
}
