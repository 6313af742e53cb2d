import ServiceLifecycle
import Synchronization

/// Carries client work from the connections' event loops to the hub: event loops append to one queue without
/// waiting; this service hands the hub everything queued so far in one call (one actor hop per batch, not a
/// task per frame). Work from one connection stays in order, since a connection lives on one event loop and the
/// queue is first in, first out.
///
/// Runs until the listener is gone: on graceful shutdown it drains what is queued (the connections' last
/// `remove`s) and ends; as an application service it stops after the listener.
final class HubFeeder: Service {
    private struct Queue {
        var work: [HubWork] = []
        /// A wake-up is pending in `wakeUps`.
        var woken = false
    }

    private let hub: RelayHub
    private let queue = Mutex(Queue())
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    init(hub: RelayHub) {
        self.hub = hub
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues work for the hub (any thread; never waits).
    func submit(_ work: HubWork) {
        let wake = queue.withLock { queue -> Bool in
            queue.work.append(work)
            defer { queue.woken = true }
            return !queue.woken
        }
        if wake { wakeUp.yield() }
    }

    func run() async {
        await withGracefulShutdownHandler {
            for await _ in wakeUps { await drain() }
        } onGracefulShutdown: { [wakeUp] in
            wakeUp.finish()
        }
        await drain()
    }

    /// Hands the hub batches until the queue is empty.
    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [HubWork] in
                var batch: [HubWork] = []
                swap(&batch, &queue.work)
                if batch.isEmpty { queue.woken = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            await hub.perform(batch)
        }
    }
}
