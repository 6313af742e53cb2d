public import Logging
public import ServiceLifecycle
public import UnixSignals

/// The olaf-client daemon's services in one group: the UI listener, then the engine. olaf-client and the tests
/// build it here, so both run the same composition.
public enum ClientServiceGroup {
    /// How long a graceful shutdown may take before what still runs is cancelled. The listener waits for every
    /// connection with a request in progress (a browser's half-sent body can stay half-sent); past this bound the
    /// group cancels instead of waiting, so olaf-client stops within a second whatever browsers left open
    /// (issue 15 item 3). Connections that never sent a request — a browser's preconnected sockets, which held a
    /// stop for a minute — are closed at once by the UI listener's `FirstRequestGuardChannel`. The engine's
    /// state is safe at any point (counters are reserved before use, the store commits each write).
    public static let maximumGracefulShutdown = Duration.milliseconds(900)

    /// The group for `application` (the UI listener) and `session`'s engine.
    public static func make(
        application: some Service, session: UserSession, signals: [UnixSignal], logger: Logger
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: [application, EngineService(session: session)], gracefulShutdownSignals: signals,
            logger: logger)
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        return ServiceGroup(configuration: configuration)
    }
}
