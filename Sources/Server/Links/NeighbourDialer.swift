import Core
import Foundation
import NIOCore
import Logging
import NIOSSL
import NIOWebSocket
import Transport

/// Keeps our own outbound link to one neighbour up: dial, `server_hello`, `client_update_request`, our
/// `client_update`, then relay; redial (`Redialer`: backoff with jitter, woken early when the neighbour links
/// to us) when it drops. Stops when the neighbour is removed or the task is cancelled. The connection itself
/// lives on its event loop (`WebSocketDialer`); this task reads what the neighbour sends, in order.
struct NeighbourDialer: Sendable {
    let context: RelayContext
    let identity: ServerIdentity
    let address: ServerAddress

    /// A link that stayed up this long resets the backoff.
    static let stableLinkDuration: Duration = .seconds(30)

    func run() async {
        let logger = context.logger.adding(["neighbour": "\(address)"])
        var redialer = Redialer(stableAfter: Self.stableLinkDuration, waker: context.linkWaker.waker(for: address))
        await redialer.run {
            guard await context.hub.neighbour(at: address) != nil else { return .stop }
            do {
                try await dialOnce(logger: logger)
                logger.info("link to neighbour closed")
            } catch is CancellationError {
                return .stop
            } catch {
                logger.info("link to neighbour failed", metadata: ["error": "\(error)"])
            }
            return .redial
        }
        context.linkWaker.forget(address)
    }

    /// One connection: dial (TCP, TLS and the upgrade bounded by the hello timeout, so a neighbour that accepts
    /// TCP and then stays silent cannot stall redialling), then run the link until it ends.
    private func dialOnce(logger: Logger) async throws {
        guard let neighbour = await context.hub.neighbour(at: address) else { return }
        let tls = try Self.tlsConfiguration(for: neighbour)
        let link = try await connect(neighbour, tls: tls)
        try await run(link, logger: logger)
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

    private func connect(_ neighbour: Neighbour, tls: TLSConfiguration?) async throws -> WebSocketInbox {
        let limits = context.limits
        let statistics = context.statistics
        let dialled = neighbour.dialAddress
        return try await WebSocketDialer.connect(
            to: WebSocketDialer.Target(host: dialled.host, port: Int(dialled.port), path: "/", tls: tls),
            group: context.eventLoopGroup, maxFrameBytes: limits.protocolLimits.maxFrameBytes,
            handshakeTimeout: TimeAmount(limits.helloTimeout)
        ) { channel in
            TCPKeepalive.enable(on: channel)
            let outbox = ChannelOutbox(byteCapacity: limits.neighbourOutboxBytes, eventLoop: channel.eventLoop)
            let link = WebSocketInbox(
                outbox: outbox, maxPendingBytes: limits.neighbourOutboxBytes,
                onBinary: { statistics.dropped(.malformed) })
            let configuration = WebSocketPeerConfiguration(
                maxMessageBytes: limits.protocolLimits.maxFrameBytes, closeGrace: .seconds(2), masksFrames: true)
            return (link, outbox, configuration)
        }
    }

    /// Runs our link: `server_hello`, `client_update_request`, our `client_update`, then the neighbour's frames
    /// until the connection ends (or the task is cancelled: then it is closed with 1001).
    private func run(_ link: WebSocketInbox, logger: Logger) async throws {
        let hub = context.hub
        let outbox = link.outbox
        let connection = ConnectionID.make()
        outbox.send(try await identity.signedServerHello())
        outbox.send(OlafMessage.clientUpdateRequest(ClientUpdateRequest()).text)
        await hub.registerOutboundLink(address, connection: connection, outbox: outbox)
        outbox.send(await hub.clientUpdateFrame())
        logger.info("link to neighbour up")
        // Nothing read here counts until the other end proves itself on this socket (interop rule 7).
        var handler: NeighbourFrameHandler?
        for await bytes in link.messages {
            link.consumed(bytes.readableBytes)
            let text = String(buffer: bytes)
            if let handler {
                await handler.handle(text)
            } else if let neighbour = await Self.authenticate(
                text, on: connection, dialled: address, outbox: outbox, context: context, logger: logger)
            {
                handler = NeighbourFrameHandler(
                    context: context, neighbour: neighbour, link: outbox, connection: connection)
            }
        }
        if Task.isCancelled { outbox.close(code: .goingAway, reason: "server shutting down") }
        await hub.unregisterOutboundLink(address, connection: connection)
        try Task.checkCancellation()
    }

    /// A frame on our dialled socket before the other end proved itself there: a `server_hello` that
    /// authenticates makes the socket a link of the neighbour; one that does not closes the socket; anything else
    /// is dropped unread (whoever answers at the configured address may not be the neighbour).
    private static func authenticate(
        _ text: String, on connection: ConnectionID, dialled address: ServerAddress, outbox: ChannelOutbox,
        context: RelayContext, logger: Logger
    ) async -> Neighbour? {
        // Cheap test first: frames that cannot be a server_hello are not parsed at all.
        guard text.utf8.count <= context.limits.protocolLimits.maxFrameBytes, text.contains(ServerHelloData.typeName),
            case .signed(let envelope)? = try? OlafMessageDecoder.decode(
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
