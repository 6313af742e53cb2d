import Core
import Foundation
import HummingbirdWSClient
import Logging

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
        try await withHandshakeDeadline(context.limits.helloTimeout) { opened in
            try await connect(logger: logger, opened: opened)
        }
    }

    private func connect(logger: Logger, opened: @escaping @Sendable () -> Void) async throws {
        let limits = context.limits
        let hub = context.hub
        let configuration = WebSocketClientConfiguration(maxFrameSize: limits.protocolLimits.maxFrameBytes)
        try await WebSocketClient.connect(url: address.webSocketURL, configuration: configuration, logger: logger) {
            inbound, outbound, _ in
            opened()
            guard let neighbour = await hub.neighbour(at: address) else { return }
            let (killSignal, kill) = AsyncStream.makeStream(of: Void.self)
            let outbox = Outbox(
                capacity: limits.neighbourOutboxCapacity,
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
            try? await context.store.markNeighbourSeen(address: address.canonical, at: Date())
            let handler = NeighbourFrameHandler(context: context, neighbour: neighbour, link: outbox)
            let killWatchdog: @Sendable () async throws -> Void = {
                for await _ in killSignal { throw CancellationError() }
                try await Task.sleep(for: .forever)
            }
            let outcome: Result<Void, any Error>
            do {
                try await ConnectionPump.run(outbox: outbox, outbound: outbound, watchdogs: [killWatchdog]) {
                    for try await message in inbound.messages(maxSize: limits.protocolLimits.maxFrameBytes) {
                        if let text = message.text { await handler.handle(text) }
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
}
