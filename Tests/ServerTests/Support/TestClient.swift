import OlafTestSupport
import Core
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import OlafCrypto
import Synchronization

/// A protocol client for tests, built on Core: connects over a real WebSocket, signs with its own key and
/// counter, and records everything it receives.
final class TestClient: Sendable {
    let key: RSAPrivateKey
    let url: String
    private let outgoing: AsyncStream<String>.Continuation
    private let state: ClientState

    /// Mutable state shared with the connection task.
    final class ClientState: Sendable {
        let inbox = Mutex<Inbox>(Inbox())
        let counter: Mutex<UInt64>
        let readingAllowed = Mutex<Bool>(true)
        init(lastCounter: UInt64) { counter = Mutex(lastCounter) }
    }

    struct Inbox {
        var frames: [String] = []
        var closeCode: Int? = nil
        var closeReason: String? = nil
        var ended = false
        var failure: String? = nil
    }

    var fingerprint: String { key.publicKey.fingerprint }

    /// Connects (returns once the socket is open or failed, or after `connectDeadline`).
    init(
        url: String, key: RSAPrivateKey, firstCounter: UInt64 = 1, tls: TLSConfiguration? = nil,
        connectDeadline: Duration = TestClient.connectDeadline
    ) async {
        self.key = key
        self.url = url
        let state = ClientState(lastCounter: firstCounter - 1)
        self.state = state
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        self.outgoing = continuation
        let (opened, openedContinuation) = AsyncStream.makeStream(of: Void.self)
        // An event loop of its own, apart from the in-process servers' and other clients': a client masks every byte
        // it sends on its event loop (about 2 s per MiB in a debug build), and on shared loops a test sending large
        // frames stalled every connection of every test running meanwhile (hellos unread past the hello timeout,
        // closes never delivered). The loop's thread ends with the connection.
        let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        Task {
            defer { eventLoop.shutdownGracefully { _ in } }
            let logger = {
                var logger = Logger(label: "test-client")
                logger.logLevel = .critical
                return logger
            }()
            do {
                // Bounded by Core's handshake deadline (as olafd's dialler and olaf-client are): the WebSocket client
                // waits forever for an upgrade answer, so a server killed mid-handshake (the kill -9 attack test)
                // would otherwise hang the whole test run rather than fail one test.
                let close = try await withHandshakeDeadline(connectDeadline) { markOpened in
                    try await WebSocketClient.connect(
                        url: url, configuration: .init(maxFrameSize: 32 << 20), tlsConfiguration: tls,
                        eventLoopGroup: eventLoop, logger: logger
                    ) { inbound, outbound, _ in
                        markOpened()
                        openedContinuation.yield()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                // A write the server no longer takes (it is closing us) must not end the connection
                                // before its close frame, with the reason, has been read.
                                for await text in stream { try? await outbound.write(.text(text)) }
                            }
                            group.addTask {
                                for try await message in inbound.messages(maxSize: 64 << 20) {
                                    while !state.readingAllowed.withLock({ $0 }) {
                                        try await Task.sleep(for: .milliseconds(20))
                                    }
                                    if case .text(let text) = message {
                                        state.inbox.withLock { $0.frames.append(text) }
                                    }
                                }
                            }
                            _ = try await group.next()
                            group.cancelAll()
                        }
                    }
                }
                state.inbox.withLock {
                    $0.closeCode = close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }
                    $0.closeReason = close?.reason
                }
            } catch {
                state.inbox.withLock { $0.failure = "\(error)" }
            }
            state.inbox.withLock { $0.ended = true }
            openedContinuation.finish()
        }
        for await _ in opened { break }
    }

    /// How long `init` waits by default for the WebSocket handshake to finish or fail.
    static let connectDeadline: Duration = .seconds(30)

    /// Connects and says hello.
    static func connected(to server: TestServer, key: RSAPrivateKey? = nil) async throws -> TestClient {
        let client = await TestClient(url: server.url, key: try key ?? TestKeys.user())
        try client.sendHello()
        return client
    }

    // MARK: Sending

    func nextCounter() -> UInt64 {
        state.counter.withLock {
            $0 += 1; return $0
        }
    }

    func send(_ text: String) { outgoing.yield(text) }

    /// Signs `payload` with our key and the next counter (or `counter`), sends it, and returns the frame.
    @discardableResult
    func sendSigned(_ payload: SignedPayload, counter: UInt64? = nil, signer: RSAPrivateKey? = nil) throws -> String {
        let envelope = try SignedEnvelope.sign(payload, counter: counter ?? nextCounter(), with: signer ?? key)
        let text = OlafMessage.signed(envelope).text
        send(text)
        return text
    }

    /// Signs a `data` string exactly as given (it need not be a valid payload) with our key and the next counter,
    /// and sends it as a `signed_data` frame: for hostile payloads that `SignedPayload` would refuse to build.
    func sendSigned(dataString: String) throws {
        let counter = nextCounter()
        let signature = try key.signPSS(sha256Digest: SignedEnvelope.signedDigest(data: dataString, counter: counter))
        send(
            JSONWriter.compact(
                .object([
                    "type": "signed_data", "data": .string(dataString), "counter": .integer(counter),
                    "signature": .string(Base64.encode(signature)),
                ])))
    }

    func sendHello() throws { try sendSigned(.hello(HelloData(publicKey: key.publicKey))) }

    @discardableResult
    func sendPublicChat(_ message: String) throws -> String {
        try sendSigned(.publicChat(PublicChatData(sender: fingerprint, message: message)))
    }

    @discardableResult
    func sendChat(_ message: String, to recipients: [(TestClient, TestServer)]) throws -> String {
        let chat = try ChatCipher.seal(
            message, from: key.publicKey,
            to: recipients.map { ChatRecipient(publicKey: $0.0.key.publicKey, homeServer: $0.1.address.spelling) })
        return try sendSigned(.chat(chat))
    }

    func requestClientList() { send(OlafMessage.clientListRequest(ClientListRequest()).text) }

    func close() { outgoing.finish() }

    /// Stops (or resumes) consuming received frames, so the socket's buffers fill up like a stalled peer's.
    func setReading(_ allowed: Bool) { state.readingAllowed.withLock { $0 = allowed } }

    // MARK: Receiving

    var received: [String] { state.inbox.withLock { $0.frames } }
    var hasEnded: Bool { state.inbox.withLock { $0.ended } }
    var closeCode: Int? { state.inbox.withLock { $0.closeCode } }
    var closeReason: String? { state.inbox.withLock { $0.closeReason } }
    var failureText: String? { state.inbox.withLock { $0.failure } }
    /// What a failed expectation should say about this client: ended or not, how, and the last frames received.
    var diagnosis: String {
        state.inbox.withLock { inbox in
            let last = inbox.frames.suffix(2).map { String($0.prefix(160)) }
            return "[client \(fingerprint.prefix(8)): ended \(inbox.ended), close \(inbox.closeCode.map(String.init) ?? "-") "
                + "\(inbox.closeReason ?? ""), failure \(inbox.failure ?? "-"), \(inbox.frames.count) frames, last \(last)]"
        }
    }

    /// Waits until a received frame satisfies `predicate`; returns it, or nil after `timeout`.
    /// Frames received before index `start` are not considered.
    func waitFor(timeout: Duration = .seconds(20), from start: Int = 0, _ predicate: (OlafMessage, String) -> Bool) async
        -> OlafMessage?
    {
        let deadline = ContinuousClock.now + timeout
        var checked = start
        while ContinuousClock.now < deadline {
            let frames = received
            while checked < frames.count {
                let text = frames[checked]
                checked += 1
                if let frame = try? OlafMessageDecoder.decode(text, limits: ProtocolLimits(maxFrameBytes: 64 << 20)),
                    predicate(frame, text)
                {
                    return frame
                }
            }
            guard await pause(.milliseconds(5)) else { break }
        }
        return nil
    }

    /// The next public chat with `message` (verified against `sender`'s key), or nil.
    func waitForPublicChat(_ message: String, from sender: TestClient, timeout: Duration = .seconds(20)) async -> Bool {
        await waitFor(timeout: timeout) { frame, _ in
            guard case .signed(let envelope) = frame, case .publicChat(let chat) = envelope.payload else {
                return false
            }
            return chat.message == message && envelope.isSigned(by: sender.key.publicKey)
        } != nil
    }

    /// The next chat that opens under our key with `message`, checked to be signed by `sender`.
    func waitForChat(_ message: String, from sender: TestClient, timeout: Duration = .seconds(20)) async -> OpenedChat?
    {
        var found: OpenedChat?
        _ = await waitFor(timeout: timeout) { frame, _ in
            guard case .signed(let envelope) = frame, case .chat(let chat) = envelope.payload,
                let opened = try? ChatCipher.open(chat, with: key), opened.message == message,
                (try? opened.checkSigned(envelope, by: sender.key.publicKey)) != nil
            else { return false }
            found = opened
            return true
        }
        return found
    }

    /// The first client_list received after asking that satisfies `predicate` (pushed lists count too), or nil.
    func clientList(timeout: Duration = .seconds(20), where predicate: (ClientList) -> Bool = { _ in true }) async
        -> ClientList?
    {
        let start = received.count
        requestClientList()
        var found: ClientList?
        _ = await waitFor(timeout: timeout, from: start) { frame, _ in
            guard case .clientList(let list) = frame, predicate(list) else { return false }
            found = list
            return true
        }
        return found
    }

    /// Waits for the connection to end; returns whether it did within `timeout`.
    func waitUntilClosed(timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if hasEnded { return true }
            guard await pause(.milliseconds(10)) else { break }
        }
        return hasEnded
    }
}

extension ClientList {
    /// The fingerprints listed under `address`.
    func fingerprints(at address: ServerAddress) -> Set<String> {
        Set(
            servers.filter { (try? ServerAddress(parsing: $0.address)) == address }.flatMap {
                $0.clients.map(\.fingerprint)
            })
    }
}
