import Core
import OlafCrypto

/// The chat opener with the fixed recipient key, on structured inputs so the fuzzer gets past base64 and JSON.
/// The first byte picks the mode (modulo 4); the rest is:
///
/// 0. fields: one count byte (1–3 wrapped keys), that many 256-byte `symm_keys`, a 16-byte IV, the ciphertext;
/// 1. ciphertext under a valid wrapped key: a 16-byte IV, then the ciphertext (the GCM tag mostly fails);
/// 2. plaintext: sealed at run time under the valid wrapped key, so `open` reaches the plaintext parser and the
///    participant check; checked against `ChatCipher.parsePlaintext` directly;
/// 3. plaintext given straight to `ChatCipher.parsePlaintext`.
enum ChatHarness {
    /// A fixed AES-128 key and IV, and the AES key wrapped (RSA-OAEP) for `FuzzKeys.recipient` once per process.
    static let aesKey: [UInt8] = Array(0..<16)
    static let iv: [UInt8] = Array(repeating: 0x5A, count: AESGCM.ivLength)
    static let wrappedKey: [UInt8] = {
        do {
            return try FuzzKeys.recipient.publicKey.encryptOAEP(aesKey)
        } catch {
            preconditionFailure("cannot wrap the fixed AES key: \(error)")
        }
    }()
    private static let destinations = ["relay.example:8080"]

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        switch mode % 4 {
        case 0: openFields(rest)
        case 1: openUnderKnownKey(rest)
        case 2: try openSealedPlaintext(rest)
        default: _ = try? ChatCipher.parsePlaintext(rest, limits: .default)
        }
    }

    private static func openFields(_ bytes: [UInt8]) {
        guard let count = bytes.first else { return }
        var cursor = 1
        var keys: [[UInt8]] = []
        for _ in 0..<(1 + Int(count % 3)) {
            let end = min(bytes.count, cursor + ChatData.wrappedKeyLength)
            keys.append(Array(bytes[cursor..<end]))
            cursor = end
        }
        let ivEnd = min(bytes.count, cursor + AESGCM.ivLength)
        let iv = Array(bytes[cursor..<ivEnd])
        open(iv: iv, symmKeys: keys, ciphertext: Array(bytes[ivEnd...]))
    }

    private static func openUnderKnownKey(_ bytes: [UInt8]) {
        let ivEnd = min(bytes.count, AESGCM.ivLength)
        open(iv: Array(bytes[..<ivEnd]), symmKeys: [wrappedKey], ciphertext: Array(bytes[ivEnd...]))
    }

    private static func openSealedPlaintext(_ plaintext: [UInt8]) throws(FuzzFinding) {
        let ciphertext: [UInt8]
        do {
            ciphertext = try AESGCM.seal(plaintext, key: aesKey, iv: iv)
        } catch {
            throw FuzzFinding(.chat, "AES-GCM seal failed: \(error)")
        }
        guard
            let chat = try? ChatData(
                destinationServers: destinations, iv: iv, symmKeys: [wrappedKey], ciphertext: ciphertext)
        else { return }
        let ours = SenderFingerprints(of: FuzzKeys.recipient.publicKey)
        let parsed = try? ChatCipher.parsePlaintext(plaintext, limits: .default)
        let expectOpen = parsed.map { $0.participants.contains(where: ours.matches) } ?? false
        let opened: OpenedChat?
        do {
            opened = try ChatCipher.open(chat, with: FuzzKeys.recipient)
        } catch .notForUs {
            throw FuzzFinding(.chat, "a chat sealed under our wrapped key did not open")
        } catch {
            opened = nil
        }
        guard (opened != nil) == expectOpen, opened == nil || opened == parsed else {
            throw FuzzFinding(.chat, "ChatCipher.open and parsePlaintext disagree on the same plaintext")
        }
    }

    private static func open(iv: [UInt8], symmKeys: [[UInt8]], ciphertext: [UInt8]) {
        guard
            let chat = try? ChatData(
                destinationServers: Array(repeating: destinations[0], count: symmKeys.count), iv: iv,
                symmKeys: symmKeys, ciphertext: ciphertext)
        else { return }
        _ = try? ChatCipher.open(chat, with: FuzzKeys.recipient)
    }
}
