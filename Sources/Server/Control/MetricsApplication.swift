import Hummingbird
import Logging
import NIOCore

extension OlafServer {
    /// The opt-in Prometheus listener (`metrics_listen`): plain HTTP, `GET /metrics` only (the same text as the
    /// control socket's `/metrics`), 404 for every other path. Prometheus cannot scrape a Unix socket, so this
    /// is how operators scrape olafd. It has no authentication: bound anywhere but loopback it logs a warning.
    func metricsApplication(_ listen: MetricsListen, onListening: @escaping @Sendable () async -> Void)
        -> some ApplicationProtocol
    {
        let router = Router(context: BasicRequestContext.self)
        let server = self
        router.get("metrics") { _, _ in
            ControlResponse.text(
                try await MetricsRenderer(server: server).render(),
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        var logger = self.logger
        logger[metadataKey: "listener"] = "metrics"
        let startedLogger = logger
        return Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "olafd-metrics"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0)" } ?? "\(listen.host):\(listen.port)"
                if listen.isLoopback {
                    startedLogger.notice("metrics listening", metadata: ["address": "\(address)"])
                } else {
                    startedLogger.warning(
                        """
                        metrics listening on a non-loopback address: anyone who can reach it can read /metrics \
                        (no authentication); bind 127.0.0.1 or firewall the port
                        """,
                        metadata: ["address": "\(address)"])
                }
                await onListening()
            },
            eventLoopGroupProvider: .shared(context.eventLoopGroup),
            logger: logger)
    }
}
