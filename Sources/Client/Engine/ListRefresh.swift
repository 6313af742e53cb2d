import Core
import Transport
import Foundation

/// Keeping the online list fresh (interop rule 10): many servers only answer `client_list_request` and never
/// push a list, so the engine asks again every few seconds while a UI is attached (less often when none is), and
/// once more, waiting briefly for the answer, before a send gives up on a recipient it does not know.
extension ClientEngine {
    /// Asks for the client list for as long as the connection lasts: every `listRefreshInterval` while a UI is
    /// subscribed to the engine's events, every `idleListRefreshInterval` (or not at all) while none is, and at
    /// once when a UI attaches. Sleeps or waits on a continuation between requests (never polls); returns only
    /// when the task is cancelled.
    nonisolated func refreshListPeriodically() async {
        let hub = events
        let (watched, idle) = (configuration.listRefreshInterval, configuration.idleListRefreshInterval)
        while !Task.isCancelled {
            if hub.hasSubscribers {
                try? await Task.sleep(for: watched)
            } else {
                // Whichever comes first: a UI attaching (then ask at once) or the idle interval.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await hub.waitForSubscriber() }
                    if let idle { group.addTask { try? await Task.sleep(for: idle) } }
                    _ = await group.next()
                    group.cancelAll()
                }
            }
            if Task.isCancelled { return }
            await requestClientList()
        }
    }

    /// Queues a `client_list_request` (nothing when not connected).
    func requestClientList() {
        _ = outbox?.send(OlafMessage.clientListRequest(ClientListRequest()).text)
    }

    /// Asks for the client list and waits until one arrives, the connection ends, or `timeout` passes.
    func awaitFreshList(within timeout: Duration) async {
        guard outbox != nil else { return }
        let id = nextListWaiter
        nextListWaiter += 1
        requestClientList()
        // Bounded: a server that never answers must not hold the send for longer than `timeout`.
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.resumeListWaiter(id)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            listWaiters[id] = continuation
        }
        timer.cancel()
    }

    /// Resumes the send waiting under `id`, if it still waits.
    private func resumeListWaiter(_ id: Int) {
        listWaiters.removeValue(forKey: id)?.resume()
    }

    /// Resumes every send waiting for a list (one arrived, or the connection ended).
    func resumeListWaiters() {
        let waiters = listWaiters
        listWaiters.removeAll()
        for waiter in waiters.values { waiter.resume() }
    }
}
