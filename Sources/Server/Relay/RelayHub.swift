public import Core
public import Logging
public import OlafCrypto
import NIOCore
import NIOWebSocket
import Transport

/// The relay's shared state: who is connected here, what each neighbour last reported, which neighbour links
/// are up, and the per-sender counters. One actor owns it; signature checks and JSON work happen in the
/// connections' own tasks before they call in, and nothing here awaits I/O (frames are queued in outboxes).
public actor RelayHub {
    /// A client connected to this server.
    struct LocalClient {
        let connection: ConnectionID
        let key: RSAPublicKey
        let outbox: any PeerOutbox
        /// When it was admitted, in admission order: lists show clients in the order they connected.
        let admission: UInt64
        /// When it was last sent an answer to `client_list_request`.
        var lastListAnswer: ContinuousClock.Instant?
    }

    /// This server's own address (what `destination_servers` must name to reach our clients).
    public nonisolated let ownAddress: ServerAddress
    let statistics: RelayStatistics
    private let logger: Logger

    private var clients: [String: LocalClient] = [:]  // by canonical fingerprint
    /// Numbers admissions, so lists keep connection order without an array that every disconnect must search.
    private var admissions: UInt64 = 0
    /// Each configured neighbour with what we know of its links, in one place.
    private var neighbours: [ServerAddress: NeighbourEntry] = [:]
    /// Each neighbour's listed clients: its claims (minus keys connected here), and the index of them.
    private var neighbourClaims = NeighbourClaims()
    private var counters: CounterTracker
    private var dirtyCounters: [String: UInt64] = [:]
    /// Our own clients changed since neighbours last got a `client_update`.
    private var localClientsChanged = false
    /// The encoded `client_list` for local clients, built at most once per change of the list.
    private var cachedClientList: ByteBuffer?
    private let listChanges: AsyncStream<Void>.Continuation
    /// Fires (coalesced) whenever the neighbourhood's client list changes.
    public nonisolated let listChangeSignals: AsyncStream<Void>

    public init(
        ownAddress: ServerAddress, neighbours: [Neighbour], counters: [String: UInt64],
        statistics: RelayStatistics, logger: Logger
    ) {
        self.ownAddress = ownAddress
        self.statistics = statistics
        self.logger = logger
        self.counters = CounterTracker(lastAccepted: counters)
        for neighbour in neighbours where neighbour.address != ownAddress {
            self.neighbours[neighbour.address] = NeighbourEntry(neighbour: neighbour)
        }
        (listChangeSignals, listChanges) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (owedListAnswerSignals, owedListAnswerSignal) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Counters

    /// Checks and records a counter from `sender`; the new value is queued for the write-behind flush.
    func accept(counter: UInt64, from sender: String) throws(ProtocolError) {
        try counters.accept(counter, from: sender)
        dirtyCounters[sender] = counter
    }

    /// Counters accepted since the last call, for persisting.
    public func takeDirtyCounters() -> [String: UInt64] {
        defer { dirtyCounters.removeAll(keepingCapacity: true) }
        return dirtyCounters
    }

    /// Forgets a sender's counter (operator reset for a neighbour that lost its state).
    public func forgetCounter(of sender: String) {
        counters.forget(sender)
        dirtyCounters[sender] = nil
    }

    // MARK: Local clients

    /// Why a verified hello was not admitted.
    enum AdmissionRefusal: Error {
        case replayed(ProtocolError)
        case serverFull(limit: Int)
        case shuttingDown
        /// Neighbours list the key as connected there, and it was not connected here a moment ago.
        case listedByNeighbour([ServerAddress])
    }

    /// Keys that left here recently: taken back even if a neighbour lists them now (a blip, not a move).
    private var recentDepartures = RecentDepartures()

    /// Set by `closeAll`: from then on no client is admitted (a quickly reconnecting client must not keep the
    /// shutdown waiting).
    private var isShuttingDown = false

    /// Admits a client whose `hello` verified: checks capacity and its counter, then binds its fingerprint to
    /// this connection. An older connection for the same key is closed, so one fingerprint never has two sockets.
    func admit(connection: ConnectionID, key: RSAPublicKey, counter: UInt64, outbox: any PeerOutbox, maxClients: Int)
        throws(AdmissionRefusal)
    {
        let fingerprint = key.fingerprint
        if isShuttingDown { throw .shuttingDown }
        if clients[fingerprint] == nil, clients.count >= maxClients { throw .serverFull(limit: maxClients) }
        // A hello names no server and no time: one sent to a neighbour verifies here too. While a neighbour lists
        // the key as connected there, its hello here is as likely a replay as a move, so it waits for the
        // neighbour to let go (an honest move ends the old connection, and the neighbour's update follows) —
        // unless the key was connected here until moments ago: then the spec's rule keeps our users ours.
        let claimants = neighbourClaims.claimants(of: fingerprint)
        if !claimants.isEmpty, clients[fingerprint] == nil, !recentDepartures.contains(fingerprint) {
            throw .listedByNeighbour(claimants)
        }
        do {
            try accept(counter: counter, from: fingerprint)
        } catch {
            throw .replayed(error)
        }
        if let previous = clients[fingerprint] {
            previous.outbox.close(code: .policyViolation, reason: "replaced by a newer connection for this key")
            logger.info("client replaced by a newer connection", metadata: ["fingerprint": "\(fingerprint)"])
        }
        admissions += 1
        recentDepartures.remove(fingerprint)
        clients[fingerprint] = LocalClient(connection: connection, key: key, outbox: outbox, admission: admissions)
        // A key connected here is never listed under a neighbour.
        neighbourClaims.withdraw(fingerprint)
        localClientsChanged = true
        listChanged()
    }

    /// Removes the client bound to `connection`, if it is still the current one for its key.
    func remove(connection: ConnectionID, fingerprint: String) {
        guard clients[fingerprint]?.connection == connection else { return }
        clients[fingerprint] = nil
        recentDepartures.record(fingerprint)
        localClientsChanged = true
        listChanged()
    }

    /// Whether `connection` is the admitted connection of the client `fingerprint`.
    func isAdmitted(_ connection: ConnectionID, _ fingerprint: String) -> Bool {
        clients[fingerprint]?.connection == connection
    }

    /// Number of clients connected here.
    public var localClientCount: Int { clients.count }

    /// The keys connected here, in connection order (sorted when a list is built, once per change, so that a
    /// disconnect is O(1) even when thousands of clients leave at once).
    public var localClientKeys: [RSAPublicKey] {
        clients.values.sorted { $0.admission < $1.admission }.map(\.key)
    }

    // MARK: Routing

    /// Routes a verified `chat` from a local client: delivered here if we are a destination, forwarded
    /// unchanged to each destination that is a linked neighbour, ignored for any other address (never dialled).
    /// `frame` is the text as received, encoded once by the caller (off this actor); every outbox shares it.
    func routeChat(frame: ByteBuffer, counter: UInt64, from fingerprint: String, destinations: [ServerAddress])
        throws(ProtocolError)
    {
        try accept(counter: counter, from: fingerprint)
        var deliveries = 0
        var seen = Set<ServerAddress>()
        for destination in destinations where seen.insert(destination).inserted {
            if destination == ownAddress {
                deliveries += deliverLocally(frame, except: fingerprint)
            } else if let entry = neighbours[destination] {
                if let link = entry.dialled {
                    deliveries += send(frame, to: link.outbox, link: destination)
                } else {
                    statistics.dropped(.neighbourLinkDown)
                }
            } else {
                statistics.dropped(.unknownDestination)
            }
        }
        statistics.relayed(deliveries: deliveries)
    }

    /// Routes a verified `public_chat` from a local client: every local client and every linked neighbour.
    func routePublicChat(frame: ByteBuffer, counter: UInt64, from fingerprint: String) throws(ProtocolError) {
        try accept(counter: counter, from: fingerprint)
        var deliveries = deliverLocally(frame, except: fingerprint)
        for (address, entry) in neighbours {
            if let link = entry.dialled { deliveries += send(frame, to: link.outbox, link: address) }
        }
        statistics.relayed(deliveries: deliveries)
    }

    /// Delivers a `chat` or `public_chat` that a neighbour relayed to every local client (never forwarded again),
    /// if it came over a link that is still authenticated (`connection` nil: no such check).
    func deliverFromNeighbour(frame: ByteBuffer, from address: ServerAddress, via connection: ConnectionID? = nil) {
        guard isCurrentLink(address, connection) else { return }
        statistics.relayed(deliveries: deliverLocally(frame, except: nil))
    }

    /// Whether `connection` is still an authenticated link of `address` (nil: not checked).
    private func isCurrentLink(_ address: ServerAddress, _ connection: ConnectionID?) -> Bool {
        guard let connection else { return neighbours[address] != nil }
        return neighbours[address]?.authenticated[connection] != nil
    }

    /// Looks up the key of a client listed by `neighbour`, by its fingerprint in any accepted spelling
    /// (constant time: a neighbour naming made-up senders costs one lookup per frame).
    func neighbourClientKey(_ claimed: String, listedBy neighbour: ServerAddress) -> RSAPublicKey? {
        neighbourClaims.key(for: claimed, listedBy: neighbour)
    }

    private func deliverLocally(_ frame: ByteBuffer, except sender: String?) -> Int {
        var deliveries = 0
        for (fingerprint, client) in clients where fingerprint != sender {
            if queue(frame, on: client.outbox, peer: fingerprint) { deliveries += 1 }
        }
        return deliveries
    }

    private func send(_ frame: ByteBuffer, to outbox: any PeerOutbox, link: ServerAddress) -> Int {
        queue(frame, on: outbox, peer: "neighbour \(link)") ? 1 : 0
    }

    /// Queues `frame` for one peer; true when queued. A peer whose outbox is full is disconnected as too slow; one
    /// that is already closing just misses the frame.
    private func queue(_ frame: ByteBuffer, on outbox: any PeerOutbox, peer: @autoclosure () -> String) -> Bool {
        switch outbox.send(frame) {
        case .queued:
            return true
        case .full:
            slowConsumer(outbox, name: peer())
            return false
        case .closed:
            return false
        }
    }

    private func slowConsumer(_ outbox: any PeerOutbox, name: String) {
        statistics.dropped(.slowConsumer)
        logger.warning("disconnecting a peer that stopped reading", metadata: ["peer": "\(name)"])
        outbox.kill()
    }

    /// Answers a local client's `client_list_request`.
    /// Answers a client's `client_list_request` at once, unless it was answered less than `minimumInterval` ago:
    /// then the answer is owed and goes out when the interval has passed (`answerDueListRequests`), however many
    /// requests came meanwhile. A list can be megabytes: unanswered, every request would be an amplifier.
    func answerClientListRequest(
        from fingerprint: String, minimumInterval: Duration = .zero, now: ContinuousClock.Instant = .now
    ) {
        guard let client = clients[fingerprint] else { return }
        if let last = client.lastListAnswer, now - last < minimumInterval {
            guard owedListAnswers[fingerprint] == nil else { return }
            owedListAnswers[fingerprint] = last + minimumInterval
            owedListAnswerSignal.yield()
            return
        }
        answerListRequest(of: fingerprint, client, now: now)
    }

    /// Queues the current `client_list` for `client` as its answer at `now`.
    private func answerListRequest(of fingerprint: String, _ client: LocalClient, now: ContinuousClock.Instant) {
        clients[fingerprint]?.lastListAnswer = now
        _ = queue(clientListBuffer(), on: client.outbox, peer: fingerprint)
    }

    /// Sends the owed `client_list` answers that are due at `now` (the list as it is now); returns when the next
    /// one is due, nil when none is owed.
    func answerDueListRequests(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        var next: ContinuousClock.Instant?
        for (fingerprint, due) in owedListAnswers {
            guard due <= now else {
                next = min(next ?? due, due)
                continue
            }
            owedListAnswers[fingerprint] = nil
            guard let client = clients[fingerprint] else { continue }
            answerListRequest(of: fingerprint, client, now: now)
        }
        return next
    }

    /// Answers to `client_list_request` held back by the per-client interval: fingerprint → when it is due.
    private var owedListAnswers: [String: ContinuousClock.Instant] = [:]
    private let owedListAnswerSignal: AsyncStream<Void>.Continuation
    /// Fires when an answer to `client_list_request` was deferred (`ListAnswerService` sends it when due).
    nonisolated let owedListAnswerSignals: AsyncStream<Void>

    // MARK: Neighbourhood

    /// The configured neighbour at `address`, if any.
    func neighbour(at address: ServerAddress) -> Neighbour? { neighbours[address]?.neighbour }

    /// All configured neighbours.
    public var configuredNeighbours: [Neighbour] { neighbours.values.map(\.neighbour) }

    /// Adds or replaces a neighbour at run time. A new key (or a new place to dial) cuts every link of the old
    /// one: what was authenticated under the old key must not keep speaking for the neighbour.
    public func setNeighbour(_ neighbour: Neighbour) {
        guard neighbour.address != ownAddress else { return }
        if let previous = neighbours[neighbour.address]?.neighbour,
            previous.publicKey != neighbour.publicKey || previous.dialAddress != neighbour.dialAddress
                || previous.dialAddress.usesTLS != neighbour.dialAddress.usesTLS
        {
            cutLinks(of: neighbour.address, reason: "neighbour re-keyed")
        }
        if neighbours[neighbour.address] == nil {
            neighbours[neighbour.address] = NeighbourEntry(neighbour: neighbour)
        } else {
            neighbours[neighbour.address]?.neighbour = neighbour
        }
    }

    /// Removes a neighbour: its list is dropped and every link with it closed, dialled or inbound.
    public func removeNeighbour(at address: ServerAddress) {
        cutLinks(of: address, reason: "neighbour removed")
        neighbours[address] = nil
    }

    /// Closes every link with `address` and forgets what it told us.
    private func cutLinks(of address: ServerAddress, reason: String) {
        guard var entry = neighbours[address] else { return }
        entry.dialled?.outbox.close(code: .goingAway, reason: reason)
        for outbox in entry.authenticated.values {
            outbox.close(code: .policyViolation, reason: reason)
        }
        entry.dialled = nil
        entry.authenticated = [:]
        entry.selfName = nil
        neighbours[address] = entry
        clearNeighbourSlice(address)
    }

    /// Records that `address` proved itself on `connection` with a verified `server_hello` naming itself
    /// `name`. Refused (false) when the neighbour is no longer configured.
    func linkUp(_ address: ServerAddress, name: String, connection: ConnectionID, outbox: any PeerOutbox) -> Bool {
        guard neighbours[address] != nil else { return false }
        neighbours[address]?.authenticated[connection] = outbox
        if neighbours[address]?.selfName != name {
            neighbours[address]?.selfName = name
            listChanged()
        }
        return true
    }

    /// Records that an authenticated link went down; once none remains, the neighbour's client list is cleared.
    func linkDown(_ address: ServerAddress, connection: ConnectionID) {
        guard neighbours[address]?.authenticated.removeValue(forKey: connection) != nil else { return }
        if neighbours[address]?.authenticated.isEmpty == true {
            clearNeighbourSlice(address)
        }
    }

    /// Whether any socket with `address` is authenticated now.
    func hasAuthenticatedLink(_ address: ServerAddress) -> Bool { neighbours[address]?.authenticated.isEmpty == false }

    /// Checks a verified `server_hello`'s counter and, when it is new, records the link as authenticated.
    /// With `allowingReset` (the caller checked where the connection comes from and that the signature was never
    /// seen), a counter that is not above the last one is accepted as a restart of the neighbour, but only while
    /// no link of that neighbour is up: a live neighbour never goes back (interop rule 13).
    func admitServerHello(
        _ neighbour: Neighbour, name: String, counter: UInt64, connection: ConnectionID, outbox: any PeerOutbox,
        allowingReset: Bool
    ) throws(ServerHelloRefusal) -> ServerHelloAdmission {
        guard neighbours[neighbour.address]?.neighbour == neighbour else { throw .notConfigured }
        var admission = ServerHelloAdmission.accepted
        do {
            try accept(counter: counter, from: neighbour.counterKey)
        } catch {
            guard allowingReset, !hasAuthenticatedLink(neighbour.address) else { throw .replayed(error) }
            counters.forget(neighbour.counterKey)
            try? accept(counter: counter, from: neighbour.counterKey)
            statistics.neighbourCounterReset()
            admission = .acceptedCounterReset(previous: error)
        }
        _ = linkUp(neighbour.address, name: name, connection: connection, outbox: outbox)
        return admission
    }

    /// Registers our dialled socket to `address`: the only socket we send server-to-server traffic on. It is not
    /// authenticated by being dialled (whoever answers there may not be the neighbour): frames read on it count
    /// only after a verified `server_hello` on it (`admitServerHello`).
    func registerOutboundLink(_ address: ServerAddress, connection: ConnectionID, outbox: any PeerOutbox) {
        guard neighbours[address] != nil else {
            // Removed while we dialled: the link has nobody to speak for.
            outbox.close(code: .goingAway, reason: "neighbour removed")
            return
        }
        neighbours[address]?.dialled?.outbox.close(code: .goingAway, reason: "superseded by a new link")
        neighbours[address]?.dialled = (connection, outbox)
    }

    /// Unregisters our dialled socket when it ends.
    func unregisterOutboundLink(_ address: ServerAddress, connection: ConnectionID) {
        if neighbours[address]?.dialled?.connection == connection { neighbours[address]?.dialled = nil }
        linkDown(address, connection: connection)
    }

    /// Our dialled link's state and the number of authenticated links (both directions) with `address`.
    public func linkState(of address: ServerAddress) -> NeighbourLinkState {
        let dialled = neighbours[address]?.dialled
        let authenticated = neighbours[address]?.authenticated ?? [:]
        let dialledAuthenticated = dialled.map { authenticated[$0.connection] != nil } ?? false
        return NeighbourLinkState(
            outbound: dialled != nil, outboundAuthenticated: dialledAuthenticated, links: authenticated.count)
    }

    /// Whether our dialled link to `address` is up.
    public func isLinked(_ address: ServerAddress) -> Bool { neighbours[address]?.dialled != nil }

    /// Replaces `address`'s claims with `keys` (minus any key connected here). A key that another neighbour
    /// also lists is withheld from the client list until only one claims it (counted and logged).
    func updateNeighbourClients(_ address: ServerAddress, keys: [RSAPublicKey], via connection: ConnectionID? = nil) {
        guard neighbours[address] != nil, isCurrentLink(address, connection) else { return }
        let filtered = keys.filter { clients[$0.fingerprint] == nil }
        let change = neighbourClaims.replace(address, with: filtered)
        if change.newConflicts > 0 {
            statistics.neighbourKeyConflicts(change.newConflicts)
            logger.warning(
                "a neighbour listed clients that another neighbour lists too; they are withheld from the client list",
                metadata: [
                    "neighbour": "\(address)", "conflicts": "\(change.newConflicts)",
                    "contested": "\(neighbourClaims.contestedCount)",
                ])
        }
        if change.listChanged { listChanged() }
    }

    /// Keys listed by more than one neighbour right now (withheld from the client list).
    public var contestedClientCount: Int { neighbourClaims.contestedCount }

    private func clearNeighbourSlice(_ address: ServerAddress) {
        if neighbourClaims.replace(address, with: [], forget: true).listChanged { listChanged() }
    }

    /// How `address` is spelled in lists: as it names itself, else as the operator wrote it.
    private func listedName(of address: ServerAddress) -> String {
        neighbours[address].map { $0.selfName ?? $0.neighbour.address.spelling } ?? address.spelling
    }

    /// Sends our `client_update` to one neighbour on our dialled link (answer to `client_update_request`).
    func sendClientUpdate(to address: ServerAddress) {
        guard let link = neighbours[address]?.dialled else { return }
        _ = send(ByteBuffer(string: clientUpdateFrame()), to: link.outbox, link: address)
    }

    // MARK: Lists

    /// `client_update` with every client connected here.
    func clientUpdateFrame() -> String {
        OlafMessage.clientUpdate(ClientUpdate(clients: localClientKeys)).text
    }

    /// `client_list` for local clients: our own clients first, then each neighbour's slice.
    func clientListFrame() -> String {
        var servers = [ClientList.Server(address: ownAddress.spelling, clients: localClientKeys)]
        for (address, keys) in neighbourClaims.listed.sorted(by: { $0.key.canonical < $1.key.canonical }) {
            servers.append(ClientList.Server(address: listedName(of: address), clients: keys))
        }
        return OlafMessage.clientList(ClientList(servers: servers)).text
    }

    /// The current `client_list` frame, encoded once per change and shared by every answer and push.
    private func clientListBuffer() -> ByteBuffer {
        if let cachedClientList { return cachedClientList }
        let list = ByteBuffer(string: clientListFrame())
        cachedClientList = list
        return list
    }

    /// A lower bound of the `client_list` frame's size: every key is a canonical PEM in quotes. Known without
    /// encoding the list (with thousands of clients, encoding it is the expensive part).
    private var clientListMinimumBytes: Int {
        let perKey = (clients.values.first?.key.canonicalPEM.utf8.count ?? 0) + 2
        return perKey * (clients.count + neighbourClaims.listedCount)
    }

    /// Pushes the current `client_list` to every local client (one buffer shared by all outboxes) if the push
    /// costs at most `budgetBytes`: the list's size times the number of clients. A list larger than
    /// `maxFrameBytes` is never pushed (receivers that keep the protocol's frame limit would drop the connection
    /// over it; ~2,300 clients at the default 1 MiB). A list that is too large or over budget by its size alone
    /// is not even encoded (with thousands of clients, encoding it is the expensive part).
    func pushClientList(maxFrameBytes: Int = .max, budgetBytes: Int = .max) -> ClientListPush {
        let minimumBytes = clientListMinimumBytes
        guard minimumBytes <= maxFrameBytes else { return .tooLarge }
        guard minimumBytes.multipliedReportingOverflow(by: clients.count).partialValue <= budgetBytes else {
            return .overBudget
        }
        let list = clientListBuffer()
        guard list.readableBytes <= maxFrameBytes else {
            logger.debug("client_list too large to push", metadata: ["bytes": "\(list.readableBytes)"])
            return .tooLarge
        }
        let cost = list.readableBytes * clients.count
        guard cost <= budgetBytes else { return .overBudget }
        for (fingerprint, client) in clients { _ = queue(list, on: client.outbox, peer: fingerprint) }
        return .pushed(bytes: cost)
    }

    /// Sends our `client_update` to every linked neighbour if our own clients changed since the last one.
    /// With no link up nothing is encoded (with 10,000 clients the update is a 4.5 MB JSON; a link that comes up
    /// later gets a fresh one when it registers).
    func pushClientUpdate() {
        guard localClientsChanged else { return }
        localClientsChanged = false
        guard neighbours.values.contains(where: { $0.dialled != nil }) else { return }
        let update = ByteBuffer(string: clientUpdateFrame())
        for (address, entry) in neighbours {
            if let link = entry.dialled { _ = queue(update, on: link.outbox, peer: "neighbour \(address)") }
        }
    }

    /// Wakes the list broadcaster again (it re-signals itself while a deferred `client_list` push is owed).
    nonisolated func signalListChange() { listChanges.yield() }

    private func listChanged() {
        cachedClientList = nil
        listChanges.yield()
    }

    /// Closes every connection with `goingAway` (1001), for shutdown.
    public func closeAll(reason: String) {
        isShuttingDown = true
        for client in clients.values { client.outbox.close(code: .goingAway, reason: reason) }
        for entry in neighbours.values {
            entry.dialled?.outbox.close(code: .goingAway, reason: reason)
            for outbox in entry.authenticated.values { outbox.close(code: .goingAway, reason: reason) }
        }
    }
}

/// One configured neighbour and its links: kept together so that removing or re-keying it cannot leave a link or
/// a name behind.
struct NeighbourEntry {
    var neighbour: Neighbour
    /// What it calls itself in its verified `server_hello`: emitted in client lists (interop rule 12).
    var selfName: String?
    /// Our dialled socket: the only one we send server-to-server traffic on.
    var dialled: (connection: ConnectionID, outbox: any PeerOutbox)?
    /// Sockets on which it proved itself with a verified `server_hello` (its links to us, and our dialled socket
    /// once it said hello there too).
    var authenticated: [ConnectionID: any PeerOutbox] = [:]
}

/// A neighbour's links as `olafctl` shows them.
public struct NeighbourLinkState: Sendable, Equatable {
    /// Our dialled socket is open.
    public var outbound: Bool
    /// The neighbour proved itself on our dialled socket too.
    public var outboundAuthenticated: Bool
    /// Authenticated links in both directions.
    public var links: Int

    /// Authenticated links the neighbour dialled.
    public var inbound: Int { links - (outboundAuthenticated ? 1 : 0) }
}

/// Why a verified `server_hello` was not admitted.
enum ServerHelloRefusal: Error, CustomStringConvertible {
    case notConfigured
    case replayed(ProtocolError)
    /// Not above the last counter, and not taken as a restart, for the reason given.
    case notARestart(ProtocolError, why: String)

    var description: String {
        switch self {
        case .notConfigured: "the neighbour is no longer configured with that key"
        case .replayed(let error): "replayed server_hello: \(error)"
        case .notARestart(let error, let why): "replayed server_hello: \(error); not a restart: \(why)"
        }
    }
}

/// How a `server_hello` was admitted.
enum ServerHelloAdmission: Equatable {
    case accepted
    /// Its counter was not above the last one: accepted as a restarted neighbour's (interop rule 13).
    case acceptedCounterReset(previous: ProtocolError)
}

/// What `RelayHub.pushClientList` did.
enum ClientListPush: Equatable, Sendable {
    /// Queued to every local client: `bytes` in all.
    case pushed(bytes: Int)
    /// Larger than the frame limit: not pushed, and it will not be until clients leave.
    case tooLarge
    /// Would cost more than the budget: not pushed yet.
    case overBudget
}
