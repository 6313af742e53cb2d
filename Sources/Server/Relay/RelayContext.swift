import Logging

/// What every connection handler needs: the shared hub, the limits, the statistics and the store.
struct RelayContext: Sendable {
    let hub: RelayHub
    let limits: ServerLimits
    let statistics: RelayStatistics
    let store: any ServerStore
    let logger: Logger
    /// Lets inbound neighbour links hurry our redial to the same neighbour.
    let linkWaker = LinkWaker()
}
