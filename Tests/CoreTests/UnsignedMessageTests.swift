import Core
import Foundation
import OlafCrypto
import Testing

@Suite("Unsigned messages and Codable")
struct UnsignedMessageTests {
    let alice = TestKeys.alice.publicKey, bob = TestKeys.bob.publicKey

    @Test("every unsigned message round-trips through its frame text")
    func roundTrips() throws {
        let frames: [OlafMessage] = [
            .clientListRequest(ClientListRequest()),
            .clientUpdateRequest(ClientUpdateRequest()),
            .clientUpdate(ClientUpdate(clients: [alice, bob])),
            .clientList(
                ClientList(servers: [.init(address: "a:1", clients: [alice]), .init(address: "b:2", clients: [])])),
        ]
        for frame in frames {
            #expect(try OlafMessageDecoder.decode(frame.text) == frame)
        }
        #expect(OlafMessage.clientListRequest(ClientListRequest()).text == #"{"type":"client_list_request"}"#)
    }

    @Test("client_update lists canonical PEMs, removes duplicates, and accepts any PEM layout on input")
    func clientUpdateLayout() throws {
        let text = frameText([
            ("type", "client_update"),
            ("clients", [.string(alice.wrappedPEM()), .string(alice.canonicalPEM), .string(bob.canonicalPEM)]),
        ])
        guard case .clientUpdate(let update) = try OlafMessageDecoder.decode(text) else { return }
        #expect(update.clients == [alice, bob])
        #expect(update.wireObject["clients"] == [.string(alice.canonicalPEM), .string(bob.canonicalPEM)])
    }

    @Test("client_update with one invalid key is refused whole; with too many keys it is refused")
    func clientUpdateStrict() {
        let bad = frameText([("type", "client_update"), ("clients", [.string(alice.canonicalPEM), "garbage"])])
        if case .invalidPublicKey(field: "clients", _)? = protocolError({ _ = try OlafMessageDecoder.decode(bad) }) {
        } else {
            Issue.record("invalid key accepted in client_update")
        }
        let many = frameText([
            ("type", "client_update"), ("clients", .array(Array(repeating: .string(alice.canonicalPEM), count: 3))),
        ])
        #expect(
            protocolError { _ = try OlafMessageDecoder.decode(many, limits: ProtocolLimits(maxClientsPerServer: 2)) }
                == .tooMany(field: "clients", limit: 2, actual: 3))
        #expect(
            protocolError { _ = try OlafMessageDecoder.decode(#"{"type": "client_update"}"#) } == .missingField("clients"))
    }

    @Test("client_list skips invalid keys (counted) but keeps the rest")
    func clientListLenient() throws {
        let text = frameText([
            ("type", "client_list"),
            (
                "servers",
                [
                    .object(["address": "a:1", "clients": [.string(alice.canonicalPEM), "junk"]]),
                    .object(["address": "b:2", "clients": [.string(bob.wrappedPEM(lineLength: 76))]]),
                ]
            ),
        ])
        guard case .clientList(let list) = try OlafMessageDecoder.decode(text) else { return }
        #expect(list.servers.map(\.address) == ["a:1", "b:2"])
        #expect(list.servers[0].clients == [alice])
        #expect(list.servers[1].clients == [bob])
        #expect(list.skippedKeys == 1)
        let malformed = frameText([("type", "client_list"), ("servers", [5])])
        #expect(protocolError { _ = try OlafMessageDecoder.decode(malformed) } == .notAnObject(field: "servers[]"))
    }

    @Test("messages are Codable through the same validation")
    func codable() throws {
        let hello = HelloData(publicKey: alice)
        let encoded = try JSONEncoder().encode(hello)
        #expect(try JSONDecoder().decode(HelloData.self, from: encoded) == hello)
        let update = ClientUpdate(clients: [alice])
        #expect(try JSONDecoder().decode(ClientUpdate.self, from: JSONEncoder().encode(update)) == update)
        let badChat = Data(
            #"{"type": "chat", "destination_servers": ["a:1"], "iv": "AAAA", "symm_keys": [], "chat": ""}"#.utf8)
        #expect(throws: ProtocolError.self) { try JSONDecoder().decode(ChatData.self, from: badChat) }
        let wrongType = Data(#"{"type": "hello", "public_key": "x"}"#.utf8)
        #expect(throws: ProtocolError.self) { try JSONDecoder().decode(PublicChatData.self, from: wrongType) }
    }
}
