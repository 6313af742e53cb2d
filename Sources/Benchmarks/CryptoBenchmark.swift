import Core
import OlafCrypto

/// Micro-benchmarks of the crypto the relay and clients run per message. Single-threaded.
public enum CryptoBenchmark {
    /// One measured operation.
    public struct Result: Sendable {
        public let name: String
        public let opsPerSecond: Double
        public let explanation: String
    }

    /// Names of the measurements, in report order.
    public static let names = [
        "pss_sign", "pss_verify", "envelope_verify", "public_key_parse", "hello_first_verify", "oaep_encrypt",
        "oaep_decrypt", "aes_gcm_seal_1k", "aes_gcm_open_1k", "chat_seal_1", "chat_seal_10", "chat_open_1_of_10",
    ]

    /// Runs every measurement (or only those named in `only`) for `seconds` each.
    public static func run(seconds: Double, only: Set<String>? = nil) throws -> [Result] {
        let sender = try RSAPrivateKey.generate()
        var recipientKeys: [RSAPrivateKey] = []
        for _ in 0..<10 { recipientKeys.append(try RSAPrivateKey.generate()) }
        let recipients = recipientKeys.enumerated().map {
            ChatRecipient(publicKey: $1.publicKey, homeServer: "10.0.0.\($0 + 1):8001")
        }
        let message = Array(String(repeating: "x", count: 100).utf8)
        let digest = SHA256Hasher.hash(message)
        let signature = try sender.signPSS(sha256Digest: digest)
        let verifier = sender.publicKey
        guard verifier.isValidPSSSignature(signature, sha256Digest: digest) else {
            throw BenchmarkError.selfCheckFailed("pss")
        }

        let publicChat = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: verifier.fingerprint, message: String(repeating: "m", count: 100))),
            counter: 1, with: sender)
        let frameBytes = Array(OlafMessage.signed(publicChat).text.utf8)

        let aesKey = try SecureRandom.bytes(16), iv = try SecureRandom.bytes(16)
        let kibibyte = [UInt8](repeating: 0x5A, count: 1024)
        let sealedKiB = try AESGCM.seal(kibibyte, key: aesKey, iv: iv)
        let wrapped = try verifier.encryptOAEP(aesKey)
        let groupChat = try ChatCipher.seal("hello", from: verifier, to: recipients)

        var results: [Result] = []
        func measure(_ name: String, _ explanation: String, _ body: () throws -> Void) throws {
            guard only?.contains(name) ?? true else { return }
            results.append(
                Result(
                    name: name, opsPerSecond: try OpsTimer.opsPerSecond(seconds: seconds, body),
                    explanation: explanation))
        }
        try measure("pss_sign", "RSA-2048 PSS sign of a SHA-256 digest") {
            _ = try sender.signPSS(sha256Digest: digest)
        }
        try measure("pss_verify", "RSA-2048 PSS verify, parsed key reused") {
            guard verifier.isValidPSSSignature(signature, sha256Digest: digest) else {
                throw BenchmarkError.selfCheckFailed("verify")
            }
        }
        try measure("envelope_verify", "parse a \(frameBytes.count)-byte public_chat frame + verify its signature") {
            guard case .signed(let envelope) = try OlafMessageDecoder.decode(frameBytes), envelope.isSigned(by: verifier)
            else {
                throw BenchmarkError.selfCheckFailed("envelope")
            }
        }
        // A hello costs one fresh key parse plus one verification with a context the new key does not have yet.
        let needsHelloKeys = only.map { !$0.isDisjoint(with: ["public_key_parse", "hello_first_verify"]) } ?? true
        // 64 keys so nothing stays cached between parses; a smoke run (fractions of a second) only needs a few.
        let helloKeys = needsHelloKeys ? try HelloKeys.make(count: seconds < 0.5 ? 8 : 64, digest: digest) : []
        var next = 0
        try measure("public_key_parse", "canonical PEM → RSA public key (policy, canonical DER/PEM, fingerprint)") {
            let index = next % helloKeys.count
            next &+= 1
            guard try RSAPublicKey(pem: helloKeys[index].pem).fingerprint == helloKeys[index].fingerprint else {
                throw BenchmarkError.selfCheckFailed("public key parse")
            }
        }
        try measure("hello_first_verify", "parse a key + first PSS verify with it (creates its verify context)") {
            let index = next % helloKeys.count
            next &+= 1
            let key = try RSAPublicKey(pem: helloKeys[index].pem)
            guard key.isValidPSSSignature(helloKeys[index].signature, sha256Digest: digest) else {
                throw BenchmarkError.selfCheckFailed("hello verify")
            }
        }
        try measure("oaep_encrypt", "RSA-2048 OAEP-SHA-256 wrap of a 16-byte key") {
            _ = try verifier.encryptOAEP(aesKey)
        }
        try measure("oaep_decrypt", "RSA-2048 OAEP-SHA-256 unwrap") { _ = try sender.decryptOAEP(wrapped) }
        try measure("aes_gcm_seal_1k", "AES-128-GCM seal of 1 KiB") {
            _ = try AESGCM.seal(kibibyte, key: aesKey, iv: iv)
        }
        try measure("aes_gcm_open_1k", "AES-128-GCM open of 1 KiB") {
            _ = try AESGCM.open(sealedKiB, key: aesKey, iv: iv)
        }
        try measure("chat_seal_1", "seal a chat for 1 recipient") {
            _ = try ChatCipher.seal("hello", from: verifier, to: [recipients[0]])
        }
        try measure("chat_seal_10", "seal a chat for 10 recipients") {
            _ = try ChatCipher.seal("hello", from: verifier, to: recipients)
        }
        try measure("chat_open_1_of_10", "open a 10-recipient chat as the last recipient (tries all 10 keys)") {
            _ = try ChatCipher.open(groupChat, with: recipientKeys[9])
        }
        return results
    }
}

/// Distinct public keys (canonical PEM, fingerprint) with a signature over one digest: every parse is a real one.
private struct HelloKeys {
    let pem: String
    let fingerprint: String
    let signature: [UInt8]

    /// `count` freshly generated keys (~0.1 s each, before any timing), each with its signature over `digest`.
    static func make(count: Int, digest: [UInt8]) throws -> [HelloKeys] {
        try (0..<count).map { _ in
            let key = try RSAPrivateKey.generate()
            return HelloKeys(
                pem: key.publicKey.canonicalPEM, fingerprint: key.publicKey.fingerprint,
                signature: try key.signPSS(sha256Digest: digest))
        }
    }
}

/// A benchmark's own sanity check failed: the figure would be meaningless.
public enum BenchmarkError: Error, CustomStringConvertible {
    case selfCheckFailed(String)
    case opensslUnavailable(String)

    public var description: String {
        switch self {
        case .selfCheckFailed(let what): "benchmark self-check failed: \(what)"
        case .opensslUnavailable(let why): "could not run `openssl speed`: \(why)"
        }
    }
}
