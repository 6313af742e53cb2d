import Logging
import ServiceLifecycle

/// Write-behind persistence of accepted counters: every `interval` (100 ms) the counters accepted since the
/// last flush are saved in one transaction, and once more on shutdown. A crash loses at most one interval of
/// counter updates (see README).
struct CounterFlushService: Service {
    let hub: RelayHub
    let store: any ServerStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await flush()
        }
        // The last flush must run even when the group is being cancelled rather than shut down gracefully:
        // a cancelled task's database access would throw before writing. An unstructured task does not inherit
        // the cancellation; we still wait for it here, so nothing outlives the service.
        await Task { await flush() }.value
    }

    /// Saves pending counters now.
    func flush() async {
        let pending = await hub.takeDirtyCounters()
        guard !pending.isEmpty else { return }
        do {
            try await store.saveCounters(pending)
        } catch {
            logger.error(
                "could not save counters; replay protection may lag after a restart",
                metadata: ["error": "\(error)", "count": "\(pending.count)"])
        }
    }
}
