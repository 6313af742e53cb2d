public import Foundation
import Core
import OlafCrypto

/// Seed inputs for every harness, made with our own code (signed with `FuzzKeys`, so the fuzzer starts from
/// frames that verify and chats that open). `olaf-fuzz --write-seeds DIR` writes them; the minimised corpus
/// under Fuzz/Corpus grew from them.
public enum SeedCorpus {
    /// Seeds by harness, as (file name, bytes).
    public static func seeds(for harness: FuzzHarness) throws -> [(name: String, bytes: [UInt8])] {
        switch harness {
        case .frame, .envelope: try frameSeeds()
        case .chat: try chatSeeds()
        case .multipart: multipartSeeds()
        case .control: controlSeeds()
        case .json: try jsonSeeds()
        case .address: addressSeeds()
        case .toml: tomlSeeds()
        }
    }

    /// Writes every harness's seeds to `directory/<harness>/<name>`.
    public static func write(to directory: URL) throws {
        for harness in FuzzHarness.allCases {
            let folder = directory.appendingPathComponent(harness.rawValue, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for seed in try seeds(for: harness) {
                try Data(seed.bytes).write(to: folder.appendingPathComponent(seed.name))
            }
        }
    }

    private static func utf8(_ name: String, _ text: String) -> (name: String, bytes: [UInt8]) {
        (name, Array(text.utf8))
    }

    static func frameSeeds() throws -> [(name: String, bytes: [UInt8])] {
        let me = FuzzKeys.recipient, other = FuzzKeys.other
        let address = try ServerAddress(parsing: "relay.example:8080")
        let chat = try ChatCipher.seal(
            "hello, \"you\" ✓", from: other.publicKey,
            to: [
                ChatRecipient(publicKey: me.publicKey, homeServer: "relay.example:8080"),
                ChatRecipient(publicKey: other.publicKey, homeServer: "other.example:9000"),
            ])
        let publicChat = SignedPayload.publicChat(PublicChatData(sender: me.publicKey.fingerprint, message: "hi all"))
        let signed: [(String, SignedPayload, RSAPrivateKey, UInt64)] = [
            ("hello", .hello(HelloData(publicKey: me.publicKey)), me, 1),
            ("public_chat", publicChat, me, 2),
            (
                "public_chat_other", .publicChat(PublicChatData(sender: other.publicKey.fingerprint, message: "")),
                other, 3
            ),
            ("chat", .chat(chat), other, 4),
            ("server_hello", .serverHello(ServerHelloData(sender: address)), me, 18_446_744_073_709_551_615),
        ]
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, payload, key, counter) in signed {
            let envelope = try SignedEnvelope.sign(payload, counter: counter, with: key)
            seeds.append(utf8(name, OlafMessage.signed(envelope).text))
            if name == "public_chat" {
                // The v1.1 layout (data as an object) that neighbours may relay.
                var object = envelope.frameObject
                object["data"] = .object(payload.wireObject)
                seeds.append(utf8("public_chat_object_data", JSONWriter.compact(.object(object))))
            }
        }
        let list = ClientList(servers: [
            .init(address: "relay.example:8080", clients: [me.publicKey, other.publicKey]),
            .init(address: "ws://[::1]:9000/", clients: [other.publicKey]),
        ])
        seeds.append(utf8("client_list", OlafMessage.clientList(list).text))
        seeds.append(utf8("client_update", OlafMessage.clientUpdate(ClientUpdate(clients: [me.publicKey])).text))
        seeds.append(utf8("client_list_request", OlafMessage.clientListRequest(ClientListRequest()).text))
        seeds.append(utf8("client_update_request", OlafMessage.clientUpdateRequest(ClientUpdateRequest()).text))
        return seeds
    }

    static func chatSeeds() throws -> [(name: String, bytes: [UInt8])] {
        let me = FuzzKeys.recipient.publicKey.fingerprint, other = FuzzKeys.other.publicKey.fingerprint
        let plain = JSONWriter.python(
            .object(["participants": .array([.string(other), .string(me)]), "message": "hi"]))
        let wrapped = JSONWriter.python(
            .object(["chat": .object(["participants": .array([.string(other), .string(me)]), "message": "hi"])]))
        let sealed = try ChatCipher.seal(
            "real chat", from: FuzzKeys.other.publicKey,
            to: [ChatRecipient(publicKey: FuzzKeys.recipient.publicKey, homeServer: "relay.example:8080")])
        let ivUnderKnownKey: [UInt8] = Array(repeating: 7, count: AESGCM.ivLength)
        let underKnownKey = try AESGCM.seal(Array(plain.utf8), key: ChatHarness.aesKey, iv: ivUnderKnownKey)
        return [
            ("fields_real_chat", [0, 0] + sealed.symmKeys[0] + sealed.iv + sealed.ciphertext),
            ("known_key_ciphertext", [1] + ivUnderKnownKey + underKnownKey),
            ("sealed_plaintext", [2] + Array(plain.utf8)),
            ("sealed_plaintext_wrapped", [2] + Array(wrapped.utf8)),
            ("plaintext", [3] + Array(plain.utf8)),
            ("plaintext_wrapped", [3] + Array(wrapped.utf8)),
        ]
    }

    static func multipartSeeds() -> [(name: String, bytes: [UInt8])] {
        func seed(_ name: String, flags: UInt8, contentType: String, body: String) -> (name: String, bytes: [UInt8]) {
            (name, [flags] + Array((contentType + "\n" + body).utf8))
        }
        let file =
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nline one\r\n--Xy not yet\r\n--XyZ--\r\n"
        let two =
            "preamble\r\n--a'()+_,-./:=? b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n"
            + "--a'()+_,-./:=? b \t\r\nContent-Disposition: form-data; name=\"file\"; "
            + "filename*=UTF-8''%E2%9C%93%20r%C3%A9sum%C3%A9.pdf\r\n \tfolded\r\n\r\n%PDF\r\n"
            + "--a'()+_,-./:=? b--epilogue"
        return [
            seed("file", flags: 5, contentType: "multipart/form-data; boundary=XyZ", body: file),
            seed("file_bytewise", flags: 0, contentType: "multipart/form-data; boundary=XyZ", body: file),
            seed(
                "two_parts_quoted_boundary", flags: 0x91,
                contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a'()+_,-./:=? b\"", body: two),
            seed(
                "no_headers", flags: 3, contentType: "multipart/form-data;boundary=b",
                body: "--b\r\n\r\nbody\r\n--b--"),
        ]
    }

    static func controlSeeds() -> [(name: String, bytes: [UInt8])] {
        let pem = FuzzKeys.other.publicKey.canonicalPEM
        let body = JSONWriter.compact(.object(["address": "neighbour.example:9000", "public_key": .string(pem)]))
        return [
            ("neighbour_add", [0] + Array(body.utf8)),
            (
                "neighbour_add_wrapped_pem",
                [0]
                    + Array(
                        JSONWriter.python(
                            .object([
                                "address": "wss://[::1]:9443/",
                                "public_key": .string(FuzzKeys.recipient.publicKey.wrappedPEM()),
                            ])
                        ).utf8)
            ),
            ("path_address", [1] + Array("neighbour.example%3A9000".utf8)),
            ("path_address_ipv6", [1] + Array("%5B0%3A0%3A0%3A0%3A0%3A0%3A0%3A1%5D%3A8080".utf8)),
            ("file_id", [2] + Array("0123456789abcdef0123456789abcdef".utf8)),
        ]
    }

    static func jsonSeeds() throws -> [(name: String, bytes: [UInt8])] {
        [
            utf8("scalars", #"[null,true,false,0,-0,1.5e-300,12345678901234567890123,"",{}]"#),
            utf8("strings", #"{"a\"b":"\u00e9\ud83d\ude00\n\t\\\/","ü":"✓","k":"\u0000"}"#),
            utf8("nested", #"{"a":[{"b":[[[{"c":{}}]]]}],"d":{"e":[1,2,3]}}"#),
            utf8("whitespace", " \t\r\n{ \"x\" : [ 1 , 2 ] } \n"),
        ] + (try frameSeeds().prefix(2))
    }

    static func addressSeeds() -> [(name: String, bytes: [UInt8])] {
        [
            "relay.example:8080", "Relay.Example.", "ws://relay.example:8080/path?q#f", "wss://relay.example",
            "https://[::1]:8443", "[0:0:0:0:0:0:0:1]:80", "::1", "192.168.000.1:65535", "http://10.0.0.1/",
            "  host  ",
        ].enumerated().map { utf8("address\($0.offset)", $0.element) }
    }

    static func tomlSeeds() -> [(name: String, bytes: [UInt8])] {
        [
            utf8(
                "config",
                """
                # comment
                listen = "127.0.0.1:8080" # trailing
                state_dir = 'olafd-state'
                [limits]
                max_clients = 1_000
                rate = -2.5e3
                enabled = true
                name = "tab\\t\\u00e9 \\"q\\" \\\\"
                """),
            utf8("tables", "[a]\nx = 1\n[b]\nx = false\n\n[c]\ny = +7\n"),
        ]
    }
}
