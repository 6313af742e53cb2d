import ServiceLifecycle

/// Pushes `client_list` to local clients and `client_update` to neighbours when the neighbourhood's list
/// changes, coalescing bursts: at most one broadcast per `minimumInterval`, always including the latest state.
/// (A thousand clients connecting at once cause a handful of broadcasts, not a million frames.)
///
/// A `client_list` push costs the list's size times the number of local clients, which grows with the square
/// of the clients (1,000 clients: ~450 KB × 1,000 = 450 MB per push). So after a push, the next one waits until
/// pushes average at most `listPushBytesPerSecond`; clients that want the list sooner ask (`client_list_request`).
/// A list larger than `maxListFrameBytes` (the protocol frame limit) is never pushed: peers would refuse the frame.
/// `client_update`s to neighbours are never held back: a neighbour checks our clients' public chats against them.
struct ListBroadcastService: Service {
    let hub: RelayHub
    let minimumInterval: Duration
    var maxListFrameBytes = Int.max
    var listPushBytesPerSecond = 64 << 20

    func run() async throws {
        let clock = ContinuousClock()
        var nextListPush = clock.now
        var listPushOwed = false
        for await _ in hub.listChangeSignals.cancelOnGracefulShutdown() {
            await hub.pushClientUpdate()
            listPushOwed = true
            if clock.now >= nextListPush {
                let pushed = await hub.pushClientList(maxFrameBytes: maxListFrameBytes)
                listPushOwed = false
                let pause = Duration.seconds(Double(pushed) / Double(listPushBytesPerSecond))
                nextListPush = clock.now + max(minimumInterval, pause)
            }
            try? await Task.sleep(for: minimumInterval)
            if listPushOwed { hub.signalListChange() }
        }
    }
}
