import Core
import OlafCrypto

/// The frame parser/validator on the paths real peers reach: a server reading from clients (`.reject`), a server
/// reading from a neighbour (`.acceptForRelay`), a client reading from its home server (`.verifyAsPython`, interop
/// rule 14), then what each does with the frame before storage or delivery.
///
/// Invariants: the policies agree on every frame `.reject` accepts; `.acceptForRelay` accepts exactly the
/// object-data frames `.reject` refuses with `dataNotString`, and `.verifyAsPython` accepts the same ones (unless
/// their Python re-serialisation outgrows the frame cap) with the same payload; a frame survives `OlafMessage.text` →
/// decode unchanged; a relayed object-data envelope re-encodes to a frame the strict decoder accepts with the same
/// payload.
enum FrameHarness {
    private static let ownAddress: ServerAddress = {
        do {
            return try ServerAddress(parsing: "relay.example:8080")
        } catch {
            preconditionFailure("fixed address does not parse: \(error)")
        }
    }()

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let strict: Result<OlafMessage, ProtocolError>
        do { strict = .success(try OlafMessageDecoder.decode(input, objectData: .reject)) } catch { strict = .failure(error) }
        let relay: Result<OlafMessage, ProtocolError>
        do {
            relay = .success(try OlafMessageDecoder.decode(input, objectData: .acceptForRelay))
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

        let client: Result<OlafMessage, ProtocolError>
        do {
            client = .success(try OlafMessageDecoder.decode(input, objectData: .verifyAsPython))
        } catch {
            client = .failure(error)
        }
        try compareClientPolicy(client, strict: strict, relay: relay)

        if case .success(let frame) = strict {
            try roundTrip(frame)
        }
        if case .success(let frame) = client { try clientPath(frame) }
        if case .success(let frame) = relay { try neighbourRelayPath(frame) }
    }

    /// `.verifyAsPython` against the other two policies: identical where `.reject` decides, the same payload as
    /// `.acceptForRelay` for object data, and a Python-layout data string that decodes back to that payload.
    private static func compareClientPolicy(
        _ client: Result<OlafMessage, ProtocolError>, strict: Result<OlafMessage, ProtocolError>,
        relay: Result<OlafMessage, ProtocolError>
    ) throws(FuzzFinding) {
        switch (strict, client, relay) {
        case (.success(let a), .success(let b), _):
            guard a == b else { throw FuzzFinding(.frame, ".reject and .verifyAsPython decode differently") }
        case (.success, .failure(let error), _):
            throw FuzzFinding(.frame, "accepted under .reject but refused under .verifyAsPython: \(error)")
        case (.failure(.dataNotString), .success(.signed(let ours)), .success(.signed(let relayed))):
            guard ours.dataSource == .objectAsPython, ours.payload == relayed.payload, ours.counter == relayed.counter
            else {
                throw FuzzFinding(.frame, ".verifyAsPython and .acceptForRelay disagree on an object-data frame")
            }
            // Sent on as a string it must decode to the same payload (unless escaping made it outgrow the cap).
            let text = OlafMessage.signed(ours).text
            guard text.utf8.count <= ProtocolLimits.default.maxFrameBytes else { return }
            guard case .signed(let again)? = try? OlafMessageDecoder.decode(Array(text.utf8)),
                again.payload == ours.payload, again.dataString == ours.dataString
            else {
                throw FuzzFinding(.frame, "the Python re-serialisation of object data does not decode to its payload")
            }
        case (.failure(.dataNotString), .failure(.frameTooLarge), .success):
            break
        case (.failure(let error), .success, _):
            throw FuzzFinding(.frame, "refused under .reject (\(error)) but accepted under .verifyAsPython")
        case (.failure(.dataNotString), .failure(let error), .success):
            throw FuzzFinding(.frame, "object data accepted for relay but refused under .verifyAsPython: \(error)")
        case (.failure, .failure, _):
            break
        }
    }

    /// `OlafMessage.text` of a decoded frame decodes to the same frame.
    private static func roundTrip(_ frame: OlafMessage) throws(FuzzFinding) {
        let again: OlafMessage
        do {
            again = try OlafMessageDecoder.decode(Array(frame.text.utf8))
        } catch {
            throw FuzzFinding(.frame, "OlafMessage.text of a decoded frame does not decode: \(error)")
        }
        guard again == frame else { throw FuzzFinding(.frame, "OlafMessage.text → decode changed the frame") }
    }

    /// The keys the simulated client already knows, and their index (as ClientEngine keeps them).
    private static let knownKeys = [FuzzKeys.recipient.publicKey, FuzzKeys.other.publicKey]
    private static let knownIndex = FingerprintIndex(knownKeys)

    /// What the client engine does with a received frame before it stores anything (EngineInbound).
    private static func clientPath(_ frame: OlafMessage) throws(FuzzFinding) {
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
    private static func neighbourRelayPath(_ frame: OlafMessage) throws(FuzzFinding) {
        guard case .signed(let envelope) = frame else { return }
        if case .chat(let chat) = envelope.payload { _ = chat.destinations.contains(ownAddress) }
        guard envelope.dataWasObject else { return }
        let text = OlafMessage.signed(envelope).text
        guard case .signed(let reencoded)? = try? OlafMessageDecoder.decode(Array(text.utf8), objectData: .reject) else {
            throw FuzzFinding(.frame, "a relayed object-data envelope re-encodes to a frame clients refuse")
        }
        guard reencoded.payload == envelope.payload, reencoded.counter == envelope.counter else {
            throw FuzzFinding(.frame, "re-encoding a relayed object-data envelope changed its payload")
        }
    }
}
