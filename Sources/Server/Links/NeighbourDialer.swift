import Core
import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import NIOWebSocket
import Transport

/// Keeps our own outbound link to one neighbour up: dial, `server_hello`, `client_update_request`, our
/// `client_update`, then relay; redial with backoff when it drops. Stops when the neighbour is removed or the
/// task is cancelled.
struct NeighbourDialer: Sendable {
    let context: RelayContext
    let identity: ServerIdentity
    let address: ServerAddress

    /// A link that stayed up this long resets the backoff.
    static let stableLinkDuration: Duration = .seconds(30)

    func run() async {
        var backoff = Backoff()
        let logger = context.logger.adding(["neighbour": "\(address)"])
        while !Task.isCancelled {
            guard await context.hub.neighbour(at: address) != nil else { return }
            let started = ContinuousClock.now
            do {
                try await dialOnce(logger: logger)
                logger.info("link to neighbour closed")
            } catch is CancellationError {
                return
            } catch {
                logger.info("link to neighbour failed", metadata: ["error": "\(error)"])
            }
            if ContinuousClock.now - started > Self.stableLinkDuration { backoff.reset() }
            do {
                try await context.linkWaker.sleep(backoff.next(), orUntilWoken: address)
            } catch {
                return
            }
        }
    }

    /// One connection attempt, bounded: if the handshake has not completed within the hello timeout the attempt
    /// is abandoned, so a neighbour that accepts TCP and then stays silent cannot stall redialling.
    private func dialOnce(logger: Logger) async throws {
        guard let neighbour = await context.hub.neighbour(at: address) else { return }
        let tls = try Self.tlsConfiguration(for: neighbour)
        try await withHandshakeDeadline(context.limits.helloTimeout) { opened in
            try await connect(neighbour, tls: tls, logger: logger, opened: opened)
        }
    }

    /// TLS for a `wss://` neighbour (its address or URL says so; never downgraded to `ws://`): the certificate
    /// is verified against the neighbour's pinned CA file, else the system store, and must name the host.
    static func tlsConfiguration(for neighbour: Neighbour) throws(NeighbourDialError) -> TLSConfiguration? {
        guard neighbour.dialAddress.usesTLS || neighbour.address.usesTLS else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = neighbour.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else { throw .unreadableCAFile(caFile) }
            tls.trustRoots = .file(caFile)
        }
        return tls
    }

    private func connect(
        _ neighbour: Neighbour, tls: TLSConfiguration?, logger: Logger, opened: @escaping @Sendable () -> Void
    ) async throws {
        let limits = context.limits
        let hub = context.hub
        let context = self.context
        let address = self.address
        let configuration = WebSocketClientConfiguration(maxFrameSize: limits.protocolLimits.maxFrameBytes)
        var dialled = neighbour.dialAddress
        if neighbour.address.usesTLS && !dialled.usesTLS {
            dialled = try ServerAddress(host: dialled.host, port: dialled.port, usesTLS: true)
        }
        try await WebSocketClient.connect(
            url: dialled.webSocketURL, configuration: configuration, tlsConfiguration: tls,
            eventLoopGroup: context.eventLoopGroup, logger: logger
        ) { inbound, outbound, _ in
            opened()
            let (killSignal, kill) = AsyncStream.makeStream(of: Void.self)
            let outbox = WriterTaskOutbox(
                capacity: limits.neighbourOutboxCapacity, byteCapacity: limits.neighbourOutboxBytes,
                forceClose: {
                    kill.yield()
                    kill.finish()
                })
            let connection = ConnectionID.make()
            outbox.send(try await identity.signedServerHello())
            outbox.send(Frame.clientUpdateRequest(ClientUpdateRequest()).text)
            await hub.registerOutboundLink(address, connection: connection, outbox: outbox)
            outbox.send(await hub.clientUpdateFrame())
            logger.info("link to neighbour up")
            let killWatchdog: @Sendable () async throws -> Void = {
                for await _ in killSignal { throw CancellationError() }
                try await Task.sleep(for: .forever)
            }
            let outcome: Result<Void, any Error>
            do {
                try await ConnectionPump.run(outbox: outbox, outbound: outbound, watchdogs: [killWatchdog]) {
                    // Nothing read here counts until the other end proves itself on this socket (interop rule 7).
                    var handler: NeighbourFrameHandler?
                    for try await message in inbound.messages(maxSize: limits.protocolLimits.maxFrameBytes) {
                        guard let text = message.text else { continue }
                        if let handler {
                            await handler.handle(text)
                        } else if let neighbour = await Self.authenticate(
                            text, on: connection, dialled: address, outbox: outbox, context: context, logger: logger)
                        {
                            handler = NeighbourFrameHandler(
                                context: context, neighbour: neighbour, link: outbox, connection: connection)
                        }
                    }
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            await hub.unregisterOutboundLink(address, connection: connection)
            try outcome.get()
        }
    }

    /// A frame on our dialled socket before the other end proved itself there: a `server_hello` that
    /// authenticates makes the socket a link of the neighbour; one that does not closes the socket; anything else
    /// is dropped unread (whoever answers at the configured address may not be the neighbour).
    private static func authenticate(
        _ text: String, on connection: ConnectionID, dialled address: ServerAddress, outbox: WriterTaskOutbox,
        context: RelayContext, logger: Logger
    ) async -> Neighbour? {
        // Cheap test first: frames that cannot be a server_hello are not parsed at all.
        guard text.utf8.count <= context.limits.protocolLimits.maxFrameBytes, text.contains(ServerHelloData.typeName),
            case .signed(let envelope)? = try? FrameDecoder.decode(
                Array(text.utf8), limits: context.limits.protocolLimits),
            case .serverHello(let claimed) = envelope.payload
        else {
            context.statistics.dropped(.unauthenticatedLink)
            return nil
        }
        do {
            let neighbour = try await ServerHelloAuthenticator(context: context).authenticate(
                envelope, claimed: claimed, origin: .dialled(address), connection: connection, outbox: outbox)
            logger.info("neighbour authenticated on our dialled link")
            return neighbour
        } catch {
            logger.warning("refused a server_hello on our dialled link", metadata: ["reason": "\(error)"])
            outbox.close(code: .policyViolation, reason: error.description)
            return nil
        }
    }
}

/// Why a neighbour could not be dialled.
enum NeighbourDialError: Error, CustomStringConvertible {
    case unreadableCAFile(String)

    var description: String {
        switch self {
        case .unreadableCAFile(let path):
            "the CA file \(path) configured for this neighbour cannot be read; check the path and its permissions"
        }
    }
}
