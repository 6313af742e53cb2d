public import Core
import Logging
public import ServiceLifecycle
import Synchronization

/// Runs one `NeighbourDialer` per configured neighbour, and starts dialling neighbours added at run time.
/// A removed neighbour's dialer ends by itself (the hub closes its link and the dialer sees it gone).
public struct NeighbourLinkService: Service {
    let context: RelayContext
    let identity: ServerIdentity
    private let additions: AsyncStream<ServerAddress>
    private let addition: AsyncStream<ServerAddress>.Continuation

    init(context: RelayContext, identity: ServerIdentity) {
        self.context = context
        self.identity = identity
        (additions, addition) = AsyncStream.makeStream(of: ServerAddress.self)
    }

    /// Starts dialling `address` (after it was added to the hub) unless a dialer already runs for it.
    public func dial(_ address: ServerAddress) { addition.yield(address) }

    public func run() async throws {
        let running = RunningDialers()
        let initial = await context.hub.configuredNeighbours.map(\.address)
        let context = self.context, identity = self.identity
        await withDiscardingTaskGroup { group in
            for address in initial where running.claim(address) {
                group.addTask { await Self.dial(address, context: context, identity: identity, running: running) }
            }
            for await address in additions.cancelOnGracefulShutdown() where running.claim(address) {
                group.addTask { await Self.dial(address, context: context, identity: identity, running: running) }
            }
            group.cancelAll()
        }
    }

    private static func dial(
        _ address: ServerAddress, context: RelayContext, identity: ServerIdentity,
        running: RunningDialers
    ) async {
        await NeighbourDialer(context: context, identity: identity, address: address).run()
        running.release(address)
    }
}

/// The neighbours that have a dialer running, so each gets exactly one.
private final class RunningDialers: Sendable {
    private let addresses = Mutex<Set<ServerAddress>>([])

    /// True if no dialer ran for `address`; it now counts as running.
    func claim(_ address: ServerAddress) -> Bool { addresses.withLock { $0.insert(address).inserted } }

    func release(_ address: ServerAddress) { _ = addresses.withLock { $0.remove(address) } }
}
