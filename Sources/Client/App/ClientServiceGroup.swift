public import Logging
public import ServiceLifecycle
public import UnixSignals

/// The olaf-client daemon's services in one group: the UI listener, then the engine. olaf-client and the tests
/// build it here, so both run the same composition.
public enum ClientServiceGroup {
    /// How long a graceful shutdown may take before what still runs is cancelled. The listener waits for every
    /// open connection to end, and a browser may hold one open indefinitely (issue 15 item 3: a stop took ~57 s
    /// after a refused cross-site form post); past this bound the group cancels instead of waiting. Not enough on
    /// its own: a loaded test run saw a stop take 15 s with a half-sent request open (item 3 is still open).
    public static let maximumGracefulShutdown = Duration.seconds(3)

    /// The group for `application` (the UI listener) and `session`'s engine.
    public static func make(
        application: some Service, session: ClientSession, signals: [UnixSignal], logger: Logger
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: [application, EngineService(session: session)], gracefulShutdownSignals: signals,
            logger: logger)
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        return ServiceGroup(configuration: configuration)
    }
}
