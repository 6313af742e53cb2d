import NIOCore
import Logging

/// What every connection handler needs: the shared hub, the limits, the statistics and the store. A class: every
/// connection keeps one reference rather than a copy of a dozen fields.
final class RelayContext: Sendable {
    let hub: RelayHub
    let settings: LiveSettings
    /// The limits in force now (a reload may change them).
    var limits: ServerLimits { settings.limits }
    let statistics: RelayStatistics
    let store: any ServerStore
    let logger: Logger
    /// Per-address and per-link abuse limits and their refusal counters.
    let abuse: AbuseGuard
    /// Lets inbound neighbour links hurry our redial to the same neighbour.
    let linkWaker = LinkWaker()
    /// Carries client work from the event loops to the hub, in order and in batches.
    let feeder: HubFeeder
    /// Runs the sessions of neighbours' links to us.
    let inboundLinks: InboundLinkSessions
    /// The event loops every listener and dialled link of this server runs on (NIO's singleton in olafd).
    let eventLoopGroup: any EventLoopGroup

    init(
        hub: RelayHub, settings: LiveSettings, statistics: RelayStatistics, store: any ServerStore, logger: Logger,
        abuse: AbuseGuard, feeder: HubFeeder, inboundLinks: InboundLinkSessions, eventLoopGroup: any EventLoopGroup
    ) {
        self.hub = hub
        self.settings = settings
        self.statistics = statistics
        self.store = store
        self.logger = logger
        self.abuse = abuse
        self.feeder = feeder
        self.inboundLinks = inboundLinks
        self.eventLoopGroup = eventLoopGroup
    }
}
