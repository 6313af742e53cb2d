import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Systemd

/// Keeps systemd informed while olafd runs: `STATUS=` with client and neighbour counts every few seconds, and
/// `WATCHDOG=1` at half of `WATCHDOG_USEC` — but only after a liveness probe proves the relay actor and the
/// event loop both answer, so a wedged server stops petting the watchdog and gets restarted. (`READY=1`,
/// `RELOADING=1` and `STOPPING=1` are sent at those moments by `OlafServer`.) Sends nothing when
/// `NOTIFY_SOCKET` is unset.
struct ServiceManagerService: Service {
    let notifier: SystemdNotifier
    let hub: RelayHub
    /// The server's event loops; the liveness probe runs a job on one of them.
    let eventLoopGroup: any EventLoopGroup
    let statusInterval: Duration
    let logger: Logger

    func run() async throws {
        guard notifier.isEnabled else {
            try? await gracefulShutdown()
            return
        }
        let watchdog = notifier.watchdogInterval
        let tick = min(statusInterval, watchdog ?? statusInterval)
        var sinceStatus = Duration.zero
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if watchdog != nil {
                if await Self.isAlive(hub: hub, eventLoopGroup: eventLoopGroup, within: tick) {
                    notifier.watchdog()
                } else {
                    logger.critical("liveness probe failed: not sending WATCHDOG=1")
                }
            }
            if sinceStatus >= statusInterval || sinceStatus == .zero {
                notifier.status(await Self.statusLine(hub: hub))
                sinceStatus = .zero
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
            sinceStatus += tick
        }
    }

    /// The `STATUS=` text: what an operator sees in `systemctl status olafd`.
    static func statusLine(hub: RelayHub) async -> String {
        let clients = await hub.localClientCount
        let neighbours = await hub.configuredNeighbours
        var linked = 0
        for neighbour in neighbours where await hub.isLinked(neighbour.address) { linked += 1 }
        return "\(clients) client\(clients == 1 ? "" : "s"), \(linked)/\(neighbours.count) neighbours linked"
    }

    /// True when the hub actor and a NIO event loop both answer within `limit`.
    static func isAlive(hub: RelayHub, eventLoopGroup: any EventLoopGroup, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await hub.localClientCount
                do {
                    try await eventLoopGroup.next().submit {}.get()
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
