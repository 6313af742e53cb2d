import ServiceLifecycle

/// Pushes `client_list` to local clients and `client_update` to neighbours when the neighbourhood's list
/// changes, coalescing bursts: at most one broadcast per `minimumInterval`, always including the latest state.
/// (A thousand clients connecting at once cause a handful of broadcasts, not a million frames.)
struct ListBroadcastService: Service {
    let hub: RelayHub
    let minimumInterval: Duration

    func run() async throws {
        for await _ in hub.listChangeSignals.cancelOnGracefulShutdown() {
            await hub.broadcastLists()
            try? await Task.sleep(for: minimumInterval)
        }
    }
}
