import Core
import NIOCore
import OlafCrypto
import Transport

/// What a client connection asks of the hub, decided on its event loop (rate limits, parsing and signatures are
/// done there) and carried to the hub in order by the `HubFeeder`.
enum HubWork: Sendable {
    /// Admit a client whose `hello` verified; `reply` is told the outcome (it hops to the connection's loop).
    case admit(
        connection: ConnectionID, key: RSAPublicKey, counter: UInt64, outbox: any PeerOutbox, maxClients: Int,
        reply: @Sendable (Result<Void, RelayHub.AdmissionRefusal>) -> Void)
    /// A verified `chat` from an admitted client: `frame` is the text as received.
    case chat(
        connection: ConnectionID, sender: String, frame: ByteBuffer, counter: UInt64, destinations: [ServerAddress])
    /// A verified `public_chat` from an admitted client.
    case publicChat(connection: ConnectionID, sender: String, frame: ByteBuffer, counter: UInt64)
    /// A repeated `hello` (same key) on an admitted connection: only its counter counts.
    case helloAgain(connection: ConnectionID, sender: String, counter: UInt64)
    /// A `client_list_request`.
    case listRequest(connection: ConnectionID, sender: String, minimumInterval: Duration)
    /// The connection ended.
    case remove(connection: ConnectionID, sender: String)
}

extension RelayHub {
    /// Does a batch of client work in order. Frames from a connection that is not (or no longer) the admitted
    /// one for its key — refused, replaced, or still waiting in the same batch behind a refused admission — are
    /// dropped.
    func perform(_ batch: [HubWork]) {
        for work in batch { perform(work) }
    }

    private func perform(_ work: HubWork) {
        switch work {
        case .admit(let connection, let key, let counter, let outbox, let maxClients, let reply):
            do throws(AdmissionRefusal) {
                try admit(connection: connection, key: key, counter: counter, outbox: outbox, maxClients: maxClients)
                reply(.success(()))
            } catch {
                reply(.failure(error))
            }
        case .chat(let connection, let sender, let frame, let counter, let destinations):
            guard isAdmitted(connection, sender) else { return }
            do {
                try routeChat(frame: frame, counter: counter, from: sender, destinations: destinations)
            } catch {
                statistics.dropped(.replayedCounter)
            }
        case .publicChat(let connection, let sender, let frame, let counter):
            guard isAdmitted(connection, sender) else { return }
            do {
                try routePublicChat(frame: frame, counter: counter, from: sender)
            } catch {
                statistics.dropped(.replayedCounter)
            }
        case .helloAgain(let connection, let sender, let counter):
            guard isAdmitted(connection, sender) else { return }
            do {
                try accept(counter: counter, from: sender)
            } catch {
                statistics.dropped(.replayedCounter)
            }
        case .listRequest(let connection, let sender, let minimumInterval):
            guard isAdmitted(connection, sender) else { return }
            answerClientListRequest(from: sender, minimumInterval: minimumInterval)
        case .remove(let connection, let sender):
            remove(connection: connection, fingerprint: sender)
        }
    }
}
