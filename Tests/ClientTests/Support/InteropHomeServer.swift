import OlafTestSupport
import Core
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import NIOCore
import OlafCrypto
import ServiceLifecycle
import Testing

/// A home server written for these tests that behaves like deployed OLAF servers of other implementations
/// (issue 13; no other team's code): it checks each client's signed `hello`, **only answers**
/// `client_list_request` (never pushes a `client_list`, as the spec words it), delivers every other `signed_data`
/// to every other client, and optionally
/// - re-encodes each relayed `data` string into a JSON object (as some Python servers do: `json.loads` then
///   `json.dumps` of the whole frame),
/// - tampers with that object (moves `type` to the end, so the sender's signature no longer holds over it),
/// - serves its file API on a second port, answering `{"response": {"body": {"file_url": "<host:port/path>"}}}`
///   with a URL without a scheme.
final class InteropHomeServer: Sendable {
    /// How this server deviates from olafd.
    struct Behaviour: Sendable {
        var relayDataAsObject = false
        var tamperRelayedObjects = false
        var serveFileAPI = false
    }

    let address: ServerAddress
    let port: Int
    /// The file API's port (nil unless `serveFileAPI`).
    let fileAPIPort: Int?
    let hub: Hub
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(_ behaviour: Behaviour = Behaviour()) async throws -> InteropHomeServer {
        var logger = Logger(label: "interop-home-server")
        logger.logLevel =
            ProcessInfo.processInfo.environment["OLAF_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        let port = try TestPorts.free()
        let address = try ServerAddress(parsing: "127.0.0.1:\(port)")
        let fileAPIPort = behaviour.serveFileAPI ? try TestPorts.free() : nil
        let hub = Hub(address: address.canonical, behaviour: behaviour, fileAPIPort: fileAPIPort)
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)

        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/") { inbound, outbound, _ in
            try await hub.serve(inbound: inbound, outbound: outbound)
        }
        var services: [any Service] = [
            Application(
                router: router,
                server: .http1WebSocketUpgrade(
                    webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: 1 << 20))),
                configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
                onServerRunning: { _ in readyContinuation.yield() }, logger: logger)
        ]
        if let fileAPIPort {
            services.append(
                Application(
                    router: hub.fileRouter(),
                    configuration: .init(address: .hostname("127.0.0.1", port: fileAPIPort), serverName: nil),
                    onServerRunning: { _ in readyContinuation.yield() }, logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { readyContinuation.finish() }
            try await group.run()
        }
        var started = 0
        for await _ in ready {
            started += 1
            if started == services.count { break }
        }
        guard started == services.count else {
            try await task.value
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return InteropHomeServer(
            address: address, port: port, fileAPIPort: fileAPIPort, hub: hub, group: group, task: task)
    }

    private init(
        address: ServerAddress, port: Int, fileAPIPort: Int?, hub: Hub, group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.address = address
        self.port = port
        self.fileAPIPort = fileAPIPort
        self.hub = hub
        self.group = group
        self.task = task
    }

    /// Closes every client socket and stops both listeners (bounded).
    func stop() async {
        await hub.closeAll()
        await group.triggerGracefulShutdown()
        if await !taskFinished(task, within: .seconds(20)) {
            Issue.record("the interop home server did not stop within 20 s")
        }
    }

    /// The server's shared state: connected clients, counts, uploaded files.
    actor Hub {
        let address: String
        let behaviour: Behaviour
        let fileAPIPort: Int?
        private var clients: [Int: (key: RSAPublicKey, outbox: AsyncStream<String>.Continuation)] = [:]
        private var nextID = 0
        /// `client_list_request`s answered (the server never sends a list otherwise).
        private(set) var listRequests = 0
        /// `client_list` frames sent (every one an answer).
        private(set) var listsSent = 0
        /// Uploaded request bodies by file id.
        private(set) var uploads: [String: [UInt8]] = [:]

        init(address: String, behaviour: Behaviour, fileAPIPort: Int?) {
            self.address = address
            self.behaviour = behaviour
            self.fileAPIPort = fileAPIPort
        }

        /// Runs one WebSocket: a verified `hello` first, then frames until either side closes.
        nonisolated func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            guard case .text(let first)? = try await messages.next(),
                case .signed(let envelope)? = try? OlafMessageDecoder.decode(first),
                case .hello(let hello) = envelope.payload, envelope.isSigned(by: hello.publicKey)
            else {
                try await outbound.close(.policyViolation, reason: "the first message must be a signed hello")
                return
            }
            let (frames, outbox) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(1024))
            let id = await add(hello.publicKey, outbox)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in frames { try await outbound.write(.text(frame)) }
                }
                defer { group.cancelAll() }
                while let message = try await messages.next() {
                    if case .text(let text) = message { await handle(text, from: id) }
                }
            }
            await remove(id)
        }

        private func add(_ key: RSAPublicKey, _ outbox: AsyncStream<String>.Continuation) -> Int {
            nextID += 1
            clients[nextID] = (key, outbox)
            return nextID
        }

        private func remove(_ id: Int) {
            clients.removeValue(forKey: id)?.outbox.finish()
        }

        /// Sends `text` to every connected client (what a hostile home server, or a flood it relays, delivers).
        func broadcast(_ text: String) {
            for client in clients.values { client.outbox.yield(text) }
        }

        func closeAll() {
            for client in clients.values { client.outbox.finish() }
        }

        private func handle(_ text: String, from id: Int) {
            guard case .object(let frame)? = try? JSONParser.parse(text) else { return }
            switch frame["type"]?.stringValue {
            case "client_list_request":
                listRequests += 1
                listsSent += 1
                let list = ClientList(servers: [
                    ClientList.Server(address: address, clients: clients.values.map { $0.key })
                ])
                clients[id]?.outbox.yield(OlafMessage.clientList(list).text)
            case "signed_data":
                let relayed = behaviour.relayDataAsObject ? reencoded(frame) ?? text : text
                for (other, client) in clients where other != id { client.outbox.yield(relayed) }
            default:
                break
            }
        }

        /// The frame with its `data` string replaced by the parsed object (tampered if asked), in Python's layout.
        private func reencoded(_ frame: JSONObject) -> String? {
            guard let data = frame["data"]?.stringValue, case .object(var inner)? = try? JSONParser.parse(data) else {
                return nil
            }
            if behaviour.tamperRelayedObjects, let type = inner.removeValue(forKey: "type") { inner["type"] = type }
            var copy = frame
            copy["data"] = .object(inner)
            return JSONWriter.python(.object(copy))
        }

        private func storeUpload(_ body: [UInt8]) -> String {
            let id = UUID().uuidString.lowercased()
            uploads[id] = body
            return id
        }

        /// `POST /api/upload` (any body, kept whole) and `GET /files/<id>`.
        nonisolated func fileRouter() -> Router<BasicRequestContext> {
            let router = Router(context: BasicRequestContext.self)
            let port = fileAPIPort ?? 0
            router.post("/api/upload") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 4 << 20)
                let id = await self.storeUpload(Array(body.readableBytesView))
                // The nested layout, with a URL without a scheme (interop rule 9).
                let reply = #"{"response": {"body": {"file_url": "127.0.0.1:\#(port)/files/\#(id)"}}}"#
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: reply)))
            }
            router.get("/files/:id") { _, context -> Response in
                guard let id = context.parameters.get("id"), let bytes = await self.uploads[id] else {
                    return Response(status: .notFound)
                }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
            return router
        }
    }
}
