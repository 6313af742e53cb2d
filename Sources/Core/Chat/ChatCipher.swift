public import OlafCrypto

/// One recipient of an encrypted chat: their key and the address of their home server (as the neighbourhood's
/// client list names it).
public struct ChatRecipient: Sendable {
    public let publicKey: RSAPublicKey
    public let homeServer: String

    public init(publicKey: RSAPublicKey, homeServer: String) {
        self.publicKey = publicKey
        self.homeServer = homeServer
    }
}

/// A chat that opened under our key.
public struct OpenedChat: Sendable, Equatable {
    /// Fingerprints as the sender wrote them: the sender first, then each recipient.
    public let participants: [String]
    public let message: String
    /// True when the plaintext used the `{"chat": {...}}` wrapper some peers emit.
    public let wasWrapped: Bool

    /// The sender's fingerprint (`participants[0]`); look its key up in the client list to verify the envelope.
    public var sender: String { participants[0] }

    /// Throws unless `envelope` is signed by `senderKey` and `senderKey` is the key `participants[0]` names.
    public func checkSigned(_ envelope: SignedEnvelope, by senderKey: RSAPublicKey) throws(ProtocolError) {
        guard SenderFingerprints(of: senderKey).matches(sender) else { throw .senderMismatch }
        try envelope.verifySignature(with: senderKey)
    }
}

/// End-to-end encryption of `chat` messages: one random AES-128-GCM key per message, wrapped with RSA-OAEP for
/// each recipient; the plaintext JSON lists the participants' fingerprints and the text.
public enum ChatCipher {
    /// Encrypts `message` from `sender` to `recipients` (in that order).
    public static func seal(
        _ message: String, from sender: RSAPublicKey, to recipients: [ChatRecipient],
        limits: ProtocolLimits = .default
    ) throws(ProtocolError) -> ChatData {
        let aesKey: [UInt8], iv: [UInt8]
        do {
            aesKey = try SecureRandom.bytes(AESGCM.keyLength)
            iv = try SecureRandom.bytes(AESGCM.ivLength)
        } catch {
            throw .crypto(error)
        }
        return try seal(message, from: sender, to: recipients, aesKey: aesKey, iv: iv, limits: limits)
    }

    /// As `seal(_:from:to:limits:)` with a caller-chosen AES key and IV. Only for reproducible test vectors:
    /// reusing a key/IV pair breaks AES-GCM.
    public static func seal(
        _ message: String, from sender: RSAPublicKey, to recipients: [ChatRecipient],
        aesKey: [UInt8], iv: [UInt8], limits: ProtocolLimits = .default
    )
        throws(ProtocolError) -> ChatData
    {
        guard !recipients.isEmpty else { throw .empty(field: "recipients") }
        guard recipients.count <= limits.maxRecipients else {
            throw .tooMany(field: "recipients", limit: limits.maxRecipients, actual: recipients.count)
        }
        guard message.utf8.count <= limits.maxMessageBytes else {
            throw .tooLong(field: "message", limit: limits.maxMessageBytes, actual: message.utf8.count)
        }
        let participants = [sender.fingerprint] + recipients.map(\.publicKey.fingerprint)
        let plaintext: JSONObject = [
            "participants": .array(participants.map { .string($0) }),
            "message": .string(message),
        ]
        do {
            let ciphertext = try AESGCM.seal(Array(JSONWriter.python(.object(plaintext)).utf8), key: aesKey, iv: iv)
            var wrappedKeys: [[UInt8]] = []
            for recipient in recipients { wrappedKeys.append(try recipient.publicKey.encryptOAEP(aesKey)) }
            return try ChatData(
                destinationServers: destinationServers(of: recipients), iv: iv, symmKeys: wrappedKeys,
                ciphertext: ciphertext, limits: limits)
        } catch let error as CryptoError {
            throw .crypto(error)
        } catch let error as ProtocolError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Each recipient's home server once, in order of first appearance, spelled as the first recipient on it
    /// names it (interop rule 11: servers that forward once per entry would send duplicates to a neighbour
    /// twice). Spellings that are not valid addresses are kept as they are, for `ChatData` to refuse.
    static func destinationServers(of recipients: [ChatRecipient]) -> [String] {
        var seen = Set<String>()
        return recipients.map(\.homeServer).filter { spelling in
            let key = (try? ServerAddress(parsing: spelling))?.canonical ?? spelling
            return seen.insert(key).inserted
        }
    }

    /// Opens a chat with our private key: tries each `symm_keys` entry, accepts both plaintext layouts, and
    /// requires our fingerprint among the participants. Throws `notForUs` when no entry opens,
    /// `notAParticipant` when we are not listed, and field errors for a malformed plaintext.
    public static func open(_ chat: ChatData, with key: RSAPrivateKey, limits: ProtocolLimits = .default)
        throws(ProtocolError) -> OpenedChat
    {
        guard let plaintext = decrypt(chat, with: key) else { throw .notForUs }
        let opened = try parsePlaintext(plaintext, limits: limits)
        let ours = SenderFingerprints(of: key.publicKey)
        guard opened.participants.contains(where: ours.matches) else { throw .notAParticipant }
        return opened
    }

    private static func decrypt(_ chat: ChatData, with key: RSAPrivateKey) -> [UInt8]? {
        for wrapped in chat.symmKeys {
            guard let aesKey = try? key.decryptOAEP(wrapped), aesKey.count == AESGCM.keyLength,
                let plaintext = try? AESGCM.open(chat.ciphertext, key: aesKey, iv: chat.iv)
            else { continue }
            return plaintext
        }
        return nil
    }

    /// Parses a decrypted chat plaintext (either layout). Separate from decryption so it can be fuzzed directly.
    package static func parsePlaintext(_ bytes: [UInt8], limits: ProtocolLimits) throws(ProtocolError) -> OpenedChat {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: limits.json)
        } catch {
            throw .malformedJSON(error)
        }
        guard case .object(var object) = value else { throw .notAnObject(field: "chat plaintext") }
        var wrapped = false
        if object["participants"] == nil, case .object(let inner)? = object["chat"] {
            object = inner
            wrapped = true
        }
        let reader = FieldReader(object, prefix: "chat.")
        let participants = try reader.stringArray(
            "participants", maxCount: limits.maxParticipants, maxBytesEach: limits.maxFingerprintBytes)
        guard !participants.isEmpty else { throw .empty(field: "chat.participants") }
        let message = try reader.string("message", maxBytes: limits.maxMessageBytes)
        return OpenedChat(participants: participants, message: message, wasWrapped: wrapped)
    }
}
