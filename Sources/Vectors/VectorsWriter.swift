public import Core
public import OlafCrypto

/// Writes cross-implementation test vectors (format `olaf-v1.2-vectors/1`, see shared/vectors) from our own
/// code, so other implementations can check that they read what we write.
public enum VectorsWriter {
    /// The format identifier of the vectors file.
    public static let format = "olaf-v1.2-vectors/1"
    /// The home server named in the sample chat.
    public static let sampleHomeServer = "127.0.0.1:4001"
    /// The text of the sample chat.
    public static let sampleChatText = "meet me at the park at 2pm"
    /// The text of the non-ASCII public chat (exercises the `\uXXXX` escaping of interop rule 2).
    public static let unicodeText = "h\u{e9}llo \u{2713} \u{65e5}\u{672c} \u{1F600} \"quoted\" \\ back"

    /// Builds the vectors document for `key`; `otherKey` signs the negative "signed by another key" case.
    /// Counters run from `firstCounter` to `firstCounter + 3`.
    public static func document(key: RSAPrivateKey, otherKey: RSAPrivateKey, firstCounter: UInt64 = 12345)
        throws -> JSONValue
    {
        let publicKey = key.publicKey
        let fingerprint = publicKey.fingerprint
        let hello = try SignedEnvelope.sign(.hello(HelloData(publicKey: publicKey)), counter: firstCounter, with: key)
        let publicChat = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: fingerprint, message: "Hello, neighbourhood!")),
            counter: firstCounter + 1, with: key)
        let unicodeChat = try SignedEnvelope.sign(
            .publicChat(PublicChatData(sender: fingerprint, message: unicodeText)), counter: firstCounter + 2, with: key
        )

        let aesKey = try SecureRandom.bytes(AESGCM.keyLength), iv = try SecureRandom.bytes(AESGCM.ivLength)
        let chatData = try ChatCipher.seal(
            sampleChatText, from: publicKey, to: [ChatRecipient(publicKey: publicKey, homeServer: sampleHomeServer)],
            aesKey: aesKey, iv: iv)
        let chat = try SignedEnvelope.sign(.chat(chatData), counter: firstCounter + 3, with: key)
        let plaintext = JSONWriter.python(
            .object([
                "participants": .array([.string(fingerprint), .string(fingerprint)]),
                "message": .string(sampleChatText),
            ]))

        let messages: [JSONValue] = [
            entry("hello", hello),
            entry("public_chat", publicChat),
            entry("public_chat_unicode", unicodeChat),
            .object([
                "name": .string("chat"),
                "message": .object(chat.frameObject),
                "aes_key_b64": .string(Base64.encode(aesKey)),
                "iv_b64": .string(Base64.encode(iv)),
                "plaintext": .string(plaintext),
                "expected_message": .string(sampleChatText),
                "expected_participants": .array([.string(fingerprint), .string(fingerprint)]),
            ]),
        ]

        return .object([
            "format": .string(format),
            "generator": .string("olaf-swift (olaf-vectors, OpenSSL EVP)"),
            "key": .object([
                "private_pem_pkcs8": .string(try key.pkcs8PEM()),
                "public_pem": .string(publicKey.canonicalPEM),
                "fingerprint": .string(fingerprint),
            ]),
            "messages": .array(messages),
            "negative": .array(try negatives(publicChat: publicChat, otherKey: otherKey)),
            "fingerprint_cases": .array(
                [
                    publicKey.canonicalPEM, publicKey.wrappedPEM(),
                    publicKey.wrappedPEM().split(separator: "\n").joined(separator: "\r\n") + "\r\n",
                    publicKey.wrappedPEM(lineLength: 76),
                ].map { .object(["public_pem": .string($0), "fingerprint": .string(fingerprint)]) }),
        ])
    }

    /// Frames that must not verify under the file's key.
    private static func negatives(publicChat: SignedEnvelope, otherKey: RSAPrivateKey) throws -> [JSONValue] {
        func variant(_ name: String, data: String? = nil, counter: UInt64? = nil, signature: [UInt8]? = nil)
            -> JSONValue
        {
            var frame = publicChat.frameObject
            if let data { frame["data"] = .string(data) }
            if let counter { frame["counter"] = .number(String(counter)) }
            if let signature { frame["signature"] = .string(Base64.encode(signature)) }
            return .object(["name": .string(name), "message": .object(frame)])
        }
        var flipped = publicChat.signature
        flipped[flipped.count / 2] ^= 0x01
        let byOther = try SignedEnvelope.sign(publicChat.payload, counter: publicChat.counter, with: otherKey)
        let tampered = publicChat.dataString.replacingFirst("Hello, neighbourhood!", with: "Hello, neighbourhood?")
        let respaced = JSONWriter.compact(.object(publicChat.payload.wireObject))
        return [
            variant("public_chat_counter_changed", counter: publicChat.counter + 1),
            variant("public_chat_data_tampered", data: tampered),
            variant("public_chat_data_respaced", data: respaced),
            variant("public_chat_signature_bit_flipped", signature: flipped),
            variant("public_chat_signed_by_other_key", signature: byOther.signature),
        ]
    }

    private static func entry(_ name: String, _ envelope: SignedEnvelope) -> JSONValue {
        .object(["name": .string(name), "message": .object(envelope.frameObject)])
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced (no Foundation needed).
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        let bytes = Array(utf8), needle = Array(target.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return self }
        for start in 0...(bytes.count - needle.count) where bytes[start..<start + needle.count].elementsEqual(needle) {
            return String(
                decoding: bytes[..<start] + Array(replacement.utf8) + bytes[(start + needle.count)...], as: UTF8.self)
        }
        return self
    }
}
