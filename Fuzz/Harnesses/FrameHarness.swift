import Core
import OlafCrypto

/// The frame parser/validator on the paths real peers reach: a client or server reading from clients
/// (`.reject`), a server reading from a neighbour (`.acceptForRelay`), then what each does with the frame before
/// storage or delivery.
///
/// Invariants: the two policies agree on every frame `.reject` accepts; `.acceptForRelay` accepts exactly the
/// object-data frames `.reject` refuses with `dataNotString`; a frame survives `Frame.text` → decode unchanged;
/// a relayed object-data envelope re-encodes to a frame the strict decoder accepts with the same payload.
enum FrameHarness {
    private static let ownAddress: ServerAddress = {
        do {
            return try ServerAddress(parsing: "relay.example:8080")
        } catch {
            preconditionFailure("fixed address does not parse: \(error)")
        }
    }()

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let strict: Result<Frame, ProtocolError>
        do { strict = .success(try FrameDecoder.decode(input, objectData: .reject)) } catch { strict = .failure(error) }
        let relay: Result<Frame, ProtocolError>
        do {
            relay = .success(try FrameDecoder.decode(input, objectData: .acceptForRelay))
        } catch {
            relay = .failure(error)
        }

        switch (strict, relay) {
        case (.success(let a), .success(let b)):
            guard a == b else { throw FuzzFinding(.frame, "the two object-data policies decode differently") }
        case (.success, .failure(let error)):
            throw FuzzFinding(.frame, "accepted under .reject but refused for relay: \(error)")
        case (.failure(.dataNotString), .success(.signed(let envelope))):
            guard envelope.dataWasObject else {
                throw FuzzFinding(.frame, "dataNotString under .reject, but relay decode has string data")
            }
        case (.failure(let error), .success):
            throw FuzzFinding(.frame, "refused under .reject (\(error)) but accepted for relay")
        case (.failure, .failure):
            break
        }

        if case .success(let frame) = strict {
            try roundTrip(frame)
            try clientPath(frame)
        }
        if case .success(let frame) = relay { try neighbourRelayPath(frame) }
    }

    /// `Frame.text` of a decoded frame decodes to the same frame.
    private static func roundTrip(_ frame: Frame) throws(FuzzFinding) {
        let again: Frame
        do {
            again = try FrameDecoder.decode(Array(frame.text.utf8))
        } catch {
            throw FuzzFinding(.frame, "Frame.text of a decoded frame does not decode: \(error)")
        }
        guard again == frame else { throw FuzzFinding(.frame, "Frame.text → decode changed the frame") }
    }

    /// The keys the simulated client already knows, and their index (as ClientEngine keeps them).
    private static let knownKeys = [FuzzKeys.recipient.publicKey, FuzzKeys.other.publicKey]
    private static let knownIndex = FingerprintIndex(knownKeys)

    /// What the client engine does with a received frame before it stores anything (EngineInbound).
    private static func clientPath(_ frame: Frame) throws(FuzzFinding) {
        let key = FuzzKeys.recipient
        switch frame {
        case .signed(let envelope):
            _ = envelope.isSigned(by: key.publicKey)
            switch envelope.payload {
            case .publicChat(let chat):
                if let sender = try lookUp(chat.sender, in: knownIndex, keys: knownKeys) {
                    _ = envelope.isSigned(by: sender)
                    _ = try? chat.checkSender(against: SenderFingerprints(of: sender))
                }
            case .chat(let chat):
                if let opened = try? ChatCipher.open(chat, with: key) {
                    for participant in opened.participants {
                        _ = try lookUp(participant, in: knownIndex, keys: knownKeys)
                    }
                    _ = try? opened.checkSigned(envelope, by: key.publicKey)
                }
            case .hello(let hello):
                _ = hello.publicKey.fingerprint
            case .serverHello(let hello):
                _ = hello.address.canonical
            }
        case .clientList(let list):
            var index = knownIndex
            var keys = knownKeys
            for server in list.servers {
                _ = try? ServerAddress(parsing: server.address)
                for client in server.clients {
                    index.insert(client)
                    if !keys.contains(client) { keys.append(client) }
                }
            }
            for client in keys {
                guard try lookUp(client.fingerprint, in: index, keys: keys) == client else {
                    throw FuzzFinding(.frame, "a listed key is not found by its own fingerprint")
                }
            }
        case .clientUpdate(let update):
            for client in update.clients { _ = client.fingerprint }
        case .clientListRequest, .clientUpdateRequest:
            break
        }
    }

    /// `FingerprintIndex.key(for:)`, checked against the linear scan it replaced.
    private static func lookUp(_ claimed: String, in index: FingerprintIndex, keys: [RSAPublicKey])
        throws(FuzzFinding) -> RSAPublicKey?
    {
        let indexed = index.key(for: claimed)
        let scanned = keys.first { SenderFingerprints(of: $0).matches(claimed) }
        guard indexed == scanned else {
            throw FuzzFinding(.frame, "FingerprintIndex and SenderFingerprints disagree on \(claimed.debugDescription)")
        }
        return indexed
    }

    /// What a server does with a frame from a neighbour (NeighbourFrameHandler): destination check, and the
    /// re-encoding of object-data envelopes before delivery.
    private static func neighbourRelayPath(_ frame: Frame) throws(FuzzFinding) {
        guard case .signed(let envelope) = frame else { return }
        if case .chat(let chat) = envelope.payload { _ = chat.destinations.contains(ownAddress) }
        guard envelope.dataWasObject else { return }
        let text = Frame.signed(envelope).text
        guard case .signed(let reencoded)? = try? FrameDecoder.decode(Array(text.utf8), objectData: .reject) else {
            throw FuzzFinding(.frame, "a relayed object-data envelope re-encodes to a frame clients refuse")
        }
        guard reencoded.payload == envelope.payload, reencoded.counter == envelope.counter else {
            throw FuzzFinding(.frame, "re-encoding a relayed object-data envelope changed its payload")
        }
    }
}
