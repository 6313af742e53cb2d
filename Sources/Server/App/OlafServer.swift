import Core
import Foundation
public import Hummingbird
import HummingbirdCore
import HTTPListener
import HummingbirdTLS
public import Logging
public import NIOCore
public import NIOPosix
public import OlafCrypto
public import ServiceLifecycle
public import Systemd
public import UnixSignals
import Transport

/// A prepared olafd: state opened, key loaded, neighbours merged, hub built. `application()` gives the
/// Hummingbird application that serves it (listener plus every background service, in one ServiceGroup).
public struct OlafServer: Sendable {
    public let configuration: ServerConfiguration
    public let hub: RelayHub
    public let identity: ServerIdentity
    public let store: any ServerStore
    public let statistics: RelayStatistics
    public let linkService: NeighbourLinkService
    public let files: FileStore
    /// The abuse limits' shared state and refusal counters.
    public var abuse: AbuseGuard { context.abuse }
    /// systemd notifications (a no-op without NOTIFY_SOCKET).
    public let notifier: SystemdNotifier
    /// Fires once every listener is bound: the WebSocket listener, the control socket and, when configured,
    /// the metrics listener.
    let readiness: ReadyGate
    let context: RelayContext
    let logger: Logger

    /// Opens the state directory, database and keystore, and merges the neighbours file.
    public static func prepare(configuration: ServerConfiguration, environment: [String: String], logger: Logger)
        async throws -> OlafServer
    {
        let key = try ServerKeystore.loadOrCreate(
            stateDirectory: configuration.stateDirectory, passphraseFile: configuration.passphraseFile,
            environment: environment, logger: logger)
        let store = try SQLiteServerStore(path: configuration.statePath("olafd.sqlite"))
        return try await prepare(
            configuration: configuration, key: key, store: store, logger: logger,
            notifier: SystemdNotifier(environment: environment))
    }

    /// Builds the server on an already opened key and store (tests use an in-memory store).
    /// - Parameter eventLoopGroup: where its listeners and dialled links run; tests give each server its own.
    public static func prepare(
        configuration: ServerConfiguration, key: RSAPrivateKey, store: any ServerStore,
        logger: Logger, notifier: SystemdNotifier = SystemdNotifier(environment: [:]),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> OlafServer {
        let ownAddress = try configuration.resolvedPublicAddress()
        if let path = configuration.neighboursFile {
            let now = Date()
            for neighbour in try NeighboursFile.load(path: path) {
                try await store.upsertNeighbour(neighbour, at: now)
            }
        }
        var neighbours: [Neighbour] = []
        for stored in try await store.neighbours() {
            do {
                neighbours.append(try Neighbour(stored: stored))
            } catch {
                logger.error(
                    "ignoring a stored neighbour that no longer validates",
                    metadata: ["address": "\(stored.address)", "error": "\(error)"])
            }
        }
        let statistics = RelayStatistics()
        let hub = RelayHub(
            ownAddress: ownAddress, neighbours: neighbours, counters: try await store.counters(),
            statistics: statistics, logger: logger)
        let identity = try await ServerIdentity(key: key, address: ownAddress, store: store)
        let settings = LiveSettings(limits: configuration.limits)
        let context = RelayContext(
            hub: hub, settings: settings, statistics: statistics, store: store, logger: logger,
            abuse: AbuseGuard(settings: settings, logger: logger), feeder: HubFeeder(hub: hub),
            inboundLinks: InboundLinkSessions(), eventLoopGroup: eventLoopGroup)
        let files = FileStore(
            configuration: FileStoreConfiguration(
                directory: configuration.statePath("uploads"), maxUploadBytes: configuration.maxUploadBytes,
                maxTotalBytes: configuration.maxStorageBytes, retention: configuration.fileRetention,
                publicBaseURL: try configuration.resolvedPublicBaseURL()),
            metadata: store, makeHasher: { OpenSSLSHA256() })
        let swept = try await files.prepare()
        if swept.temporaryFilesRemoved + swept.orphanedFilesRemoved > 0 {
            logger.notice(
                "removed leftovers of interrupted uploads",
                metadata: [
                    "partial": "\(swept.temporaryFilesRemoved)", "orphaned": "\(swept.orphanedFilesRemoved)",
                ])
        }
        return OlafServer(
            configuration: configuration, hub: hub, identity: identity, store: store,
            statistics: statistics, linkService: NeighbourLinkService(context: context, identity: identity),
            files: files, notifier: notifier,
            readiness: ReadyGate(listeners: configuration.metricsListen == nil ? 2 : 3), context: context,
            logger: logger)
    }

    /// The application: one listener (WebSocket upgrade on any path, the file API; 426 for a plain request to a
    /// WebSocket path, 404 elsewhere, 400 at once for a request HTTP parsing refuses) and the background
    /// services, composed in one ServiceGroup in dependency order.
    /// - Parameter onServerRunning: called once the listener is bound (with its channel, e.g. to read the port).
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
        throws -> some ApplicationProtocol
    {
        let context = self.context
        // Plain HTTP: the file API, 426 for the WebSocket paths, 404 for everything else.
        let router = Router(context: OlafRequestContext.self)
        router.add(middleware: AbuseLimitMiddleware(abuse: context.abuse))
        FileRoutes(store: files).register(on: router)
        WebSocketEndpointRoutes.register(on: router)
        let limits = configuration.limits.protocolLimits
        // The feeder first: services stop in reverse order after the listener, and the feeder must carry the
        // connections' last work to the hub.
        let services: [any Service] = [
            context.feeder,
            context.inboundLinks,
            CounterFlushService(hub: hub, store: store, interval: configuration.counterFlushInterval, logger: logger),
            ListBroadcastService(
                hub: hub, minimumInterval: .milliseconds(50), maxListFrameBytes: limits.maxFrameBytes),
            ListAnswerService(hub: hub),
            linkService,
            FilePurgeService(files: files, interval: .seconds(60), logger: logger),
        ]
        let tls = try TLSSetup.tlsConfiguration(for: configuration)
        let abuse = context.abuse
        let firstRequestDeadline = configuration.limits.httpIdleTimeout
        // Plain HTTP: a silent connection, or an upload that stops sending, is closed. An upgraded WebSocket has
        // its own hello timeout and TCP keepalive (no ping timer beside every connection; peers' pings are
        // answered).
        let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(configuration.limits.httpIdleTimeout))
        // The per-address connection count wraps everything (TLS included), so it sees every accepted socket.
        let server = HTTPServerBuilder { responder in
            let plain = FirstRequestGuardChannel(
                base: WebSocketListenerChannel(
                    responder: responder, http1: http1, maxFrameBytes: limits.maxFrameBytes,
                    makePeer: { channel in
                        let limits = context.limits
                        let outbox = ChannelOutbox(byteCapacity: limits.outboxBytes, eventLoop: channel.eventLoop)
                        let peer = AcceptedPeer(
                            context: context, outbox: outbox, remoteAddress: channel.remoteAddress,
                            overConnectionLimit: abuse.isOverConnectionLimit(channel))
                        return (peer, outbox, AcceptedPeer.configuration(limits))
                    }),
                deadline: TimeAmount(firstRequestDeadline),
                onDeadline: { abuse.refusals.record(.firstRequestTimeout) })
            if let tls {
                return ConnectionLimitChannel(base: try TLSChannel(plain, tlsConfiguration: tls), abuse: abuse)
            }
            return ConnectionLimitChannel(base: plain, abuse: abuse)
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(configuration.listenHost, port: configuration.listenPort),
                serverName: "olafd"),
            services: services,
            onServerRunning: { [readiness] channel in
                await onServerRunning(channel)
                await readiness.listenerUp()
            },
            eventLoopGroupProvider: .shared(context.eventLoopGroup),
            logger: logger)
    }
}

extension OlafServer {
    /// How long a graceful shutdown may take before the remaining services are cancelled.
    public static let maximumGracefulShutdown = Duration.seconds(10)

    /// The service group that runs `application` and the control API: on SIGTERM/SIGINT (or
    /// `triggerGracefulShutdown`) it first closes every WebSocket with 1001 (going away), then stops the listeners
    /// and the background services (the counter flush writes its last batch), in reverse dependency order.
    /// SIGHUP (when trapped) and `olafctl reload` run `reload`.
    /// - Parameters:
    ///   - onReady: called once every listener is bound (the moment for sd_notify READY=1): the main listener,
    ///     the control socket and the metrics listener when `metrics_listen` is set.
    public func serviceGroup(
        running application: some ApplicationProtocol, signals: [UnixSignal] = [.sigterm, .sigint],
        reload: @escaping @Sendable () async throws -> String = { "nothing to reload" },
        trapHangup: Bool = true,
        onReady: @escaping @Sendable () async -> Void = {}
    ) throws -> ServiceGroup {
        let notifier = self.notifier
        let notifyingReload: @Sendable () async throws -> String = {
            notifier.reloading()
            defer { notifier.ready() }
            return try await reload()
        }
        let hub = self.hub
        let ready = readiness
        ready.onReady {
            notifier.ready()
            notifier.status(await ServiceManagerService.statusLine(hub: hub))
            await onReady()
        }
        let control = try controlApplication(reload: notifyingReload, onListening: { await ready.listenerUp() })
        var services: [any Service] = [application, control]
        if let listen = configuration.metricsListen {
            services.append(metricsApplication(listen, onListening: { await ready.listenerUp() }))
        }
        services.append(
            ServiceManagerService(
                notifier: notifier, hub: hub, eventLoopGroup: context.eventLoopGroup, statusInterval: .seconds(5),
                logger: logger))
        if trapHangup { services.append(ReloadService(reload: notifyingReload, logger: logger)) }
        services.append(ShutdownCloser(hub: hub, grace: .seconds(2), onShutdown: { notifier.stopping() }))
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        // A backstop under systemd's TimeoutStopSec (15 s): whatever still runs then is cancelled, so a stop
        // always ends in an exit of our own rather than a SIGKILL.
        group.maximumGracefulShutdownDuration = Self.maximumGracefulShutdown
        return ServiceGroup(configuration: group)
    }

    /// Applies the reloadable part of `configuration` (limits). Returns a summary for the log and `olafctl`.
    public func applyReload(_ configuration: ServerConfiguration) -> String {
        context.settings.update(configuration.limits)
        return "limits"
    }
}

/// Shut down before the listener: closes every client and link with 1001 and waits (up to `grace`) for them
/// to go, so peers see "going away" rather than a generic close from the listener's own shutdown.
struct ShutdownCloser: Service {
    let hub: RelayHub
    let grace: Duration
    let onShutdown: @Sendable () -> Void

    func run() async throws {
        try? await gracefulShutdown()
        onShutdown()
        await hub.closeAll(reason: "server shutting down")
        let deadline = ContinuousClock.now + grace
        // Cancelled (rather than shut down gracefully), the sleep throws at once: stop waiting then, or this loop
        // would spin on a concurrency thread until the deadline.
        while await hub.localClientCount > 0, ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
    }
}
