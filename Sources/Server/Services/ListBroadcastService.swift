import Core
import ServiceLifecycle

/// Pushes `client_list` to local clients and `client_update` to neighbours when the neighbourhood's list
/// changes, coalescing bursts: at most one broadcast per `minimumInterval`, always including the latest state.
/// (A thousand clients connecting at once cause a handful of broadcasts, not a million frames.)
///
/// A `client_list` push costs the list's size times the number of local clients, which grows with the square
/// of the clients (1,000 clients: ~450 KB × 1,000 = 450 MB per push). So pushes are paid for before they are
/// made, from a `ListPushAllowance`: on average at most `listPushBytesPerSecond`, and a push that costs more than
/// the allowance saved so far waits (the list then changing further costs nothing extra). When every client of
/// a restarted server reconnects at once, that is the difference between a few small pushes and gigabytes of
/// lists that are stale before they arrive. Clients that want the list sooner ask (`client_list_request`).
/// A list larger than `maxListFrameBytes` (the protocol frame limit) is never pushed: peers would refuse the frame.
/// `client_update`s to neighbours are never held back: a neighbour checks our clients' public chats against them.
struct ListBroadcastService: Service {
    let hub: RelayHub
    let minimumInterval: Duration
    var maxListFrameBytes = Int.max
    var listPushBytesPerSecond = 64 << 20

    func run() async throws {
        let clock = ContinuousClock()
        var allowance = ListPushAllowance(bytesPerSecond: listPushBytesPerSecond, now: clock.now)
        var nextListPush = clock.now
        var listPushOwed = false
        for await _ in hub.listChangeSignals.cancelOnGracefulShutdown() {
            await hub.pushClientUpdate()
            listPushOwed = true
            let now = clock.now
            if now >= nextListPush {
                switch await hub.pushClientList(
                    maxFrameBytes: maxListFrameBytes, budgetBytes: allowance.budget(now: now))
                {
                case .pushed(let bytes):
                    allowance.spend(bytes, now: now)
                    listPushOwed = false
                    nextListPush = now + minimumInterval
                case .tooLarge:
                    listPushOwed = false
                case .overBudget:
                    break
                }
            }
            try? await Task.sleep(for: minimumInterval)
            if listPushOwed { hub.signalListChange() }
        }
    }
}

/// The bytes `client_list` pushes may still cost: refills at `bytesPerSecond` up to `window` of it, and starts
/// with one second of it (a server that just started sees every client reconnect at once: that is no moment to
/// spend a minute's allowance). A full allowance pays for any push, however large, so a list too costly for the
/// window still goes out now and then.
struct ListPushAllowance {
    private var bucket: TokenBucket

    init(bytesPerSecond: Int, window: Duration = .seconds(60), now: ContinuousClock.Instant) {
        let rate = Double(bytesPerSecond)
        bucket = TokenBucket(
            rate: rate, burst: rate * Double(window.components.seconds), initial: rate, now: now)
    }

    /// What a push may cost at `now`: the bytes saved so far, or anything once the allowance is full.
    mutating func budget(now: ContinuousClock.Instant) -> Int {
        if bucket.isFull(now: now) { return .max }
        return Int(bucket.available(now: now))
    }

    /// Pays for a push of `bytes` (all that is left, when it cost more).
    mutating func spend(_ bytes: Int, now: ContinuousClock.Instant) {
        let left = bucket.available(now: now)
        _ = bucket.take(min(Double(bytes), left), now: now)
    }
}
