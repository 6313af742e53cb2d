import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on SIGHUP (systemd's `ExecReload=/bin/kill -HUP $MAINPID`) without dropping
/// connections. `olafctl reload` calls the same closure through the control API.
struct ReloadService: Service {
    let reload: @Sendable () async throws -> String
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let summary = try await reload()
                logger.notice("configuration reloaded", metadata: ["applied": "\(summary)"])
            } catch {
                logger.error("reload failed; previous settings kept", metadata: ["error": "\(error)"])
            }
        }
    }
}
