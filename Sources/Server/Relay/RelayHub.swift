public import Core
public import Logging
public import OlafCrypto
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// The relay's shared state: who is connected here, what each neighbour last reported, which neighbour links
/// are up, and the per-sender counters. One actor owns it; signature checks and JSON work happen in the
/// connections' own tasks before they call in, and nothing here awaits I/O (frames are queued in outboxes).
public actor RelayHub {
    /// A client connected to this server.
    struct LocalClient {
        let connection: ConnectionID
        let key: RSAPublicKey
        let outbox: Outbox
        /// When it was admitted, in admission order: lists show clients in the order they connected.
        let admission: UInt64
    }

    /// This server's own address (what `destination_servers` must name to reach our clients).
    public nonisolated let ownAddress: ServerAddress
    let statistics: RelayStatistics
    private let logger: Logger

    private var clients: [String: LocalClient] = [:]  // by canonical fingerprint
    /// Numbers admissions, so lists keep connection order without an array that every disconnect must search.
    private var admissions: UInt64 = 0
    private var neighbours: [ServerAddress: Neighbour] = [:]
    private var neighbourClients: [ServerAddress: [RSAPublicKey]] = [:]
    private var neighbourKeyIndex: [ServerAddress: FingerprintIndex] = [:]
    private var outboundLinks: [ServerAddress: (connection: ConnectionID, outbox: Outbox)] = [:]
    private var linkCounts: [ServerAddress: Int] = [:]
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
            self.neighbours[neighbour.address] = neighbour
        }
        (listChangeSignals, listChanges) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Counters

    /// Checks and records a counter from `sender`; the new value is queued for the write-behind flush.
    func accept(counter: UInt64, from sender: String) throws(ProtocolError) {
        try counters.accept(counter, from: sender)
        dirtyCounters[sender] = counter
    }

    /// `accept(counter:from:)` for callers outside the actor.
    func acceptCounter(_ counter: UInt64, from sender: String) throws(ProtocolError) {
        try accept(counter: counter, from: sender)
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
    }

    /// Set by `closeAll`: from then on no client is admitted (a quickly reconnecting client must not keep the
    /// shutdown waiting).
    private var isShuttingDown = false

    /// Admits a client whose `hello` verified: checks capacity and its counter, then binds its fingerprint to
    /// this connection. An older connection for the same key is closed, so one fingerprint never has two sockets.
    func admit(connection: ConnectionID, key: RSAPublicKey, counter: UInt64, outbox: Outbox, maxClients: Int)
        throws(AdmissionRefusal)
    {
        let fingerprint = key.fingerprint
        if isShuttingDown { throw .shuttingDown }
        if clients[fingerprint] == nil, clients.count >= maxClients { throw .serverFull(limit: maxClients) }
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
        clients[fingerprint] = LocalClient(connection: connection, key: key, outbox: outbox, admission: admissions)
        // A key connected here is never listed under a neighbour.
        for address in neighbourClients.keys { removeFromNeighbourSlice(address, fingerprint: fingerprint) }
        localClientsChanged = true
        listChanged()
    }

    /// Removes the client bound to `connection`, if it is still the current one for its key.
    func remove(connection: ConnectionID, fingerprint: String) {
        guard clients[fingerprint]?.connection == connection else { return }
        clients[fingerprint] = nil
        localClientsChanged = true
        listChanged()
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
            } else if neighbours[destination] != nil {
                if let link = outboundLinks[destination] {
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
        for (address, link) in outboundLinks { deliveries += send(frame, to: link.outbox, link: address) }
        statistics.relayed(deliveries: deliveries)
    }

    /// Delivers a `chat` or `public_chat` that a neighbour relayed to every local client (never forwarded again).
    func deliverFromNeighbour(frame: ByteBuffer) {
        statistics.relayed(deliveries: deliverLocally(frame, except: nil))
    }

    /// Looks up the key of a client listed by `neighbour`, by its fingerprint in any accepted spelling
    /// (constant time: a neighbour naming made-up senders costs one lookup per frame).
    func neighbourClientKey(_ claimed: String, listedBy neighbour: ServerAddress) -> RSAPublicKey? {
        neighbourKeyIndex[neighbour]?.key(for: claimed)
    }

    private func deliverLocally(_ frame: ByteBuffer, except sender: String?) -> Int {
        var deliveries = 0
        for (fingerprint, client) in clients where fingerprint != sender {
            if queue(frame, on: client.outbox, peer: fingerprint) { deliveries += 1 }
        }
        return deliveries
    }

    private func send(_ frame: ByteBuffer, to outbox: Outbox, link: ServerAddress) -> Int {
        queue(frame, on: outbox, peer: "neighbour \(link)") ? 1 : 0
    }

    /// Queues `frame` for one peer; true when queued. A peer whose outbox is full is disconnected as too slow; one
    /// that is already closing just misses the frame.
    private func queue(_ frame: ByteBuffer, on outbox: Outbox, peer: @autoclosure () -> String) -> Bool {
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

    private func slowConsumer(_ outbox: Outbox, name: String) {
        statistics.dropped(.slowConsumer)
        logger.warning("disconnecting a peer that stopped reading", metadata: ["peer": "\(name)"])
        outbox.kill()
    }

    /// Answers a local client's `client_list_request`.
    func answerClientListRequest(from fingerprint: String) {
        guard let client = clients[fingerprint] else { return }
        _ = queue(clientListBuffer(), on: client.outbox, peer: fingerprint)
    }

    // MARK: Neighbourhood

    /// The configured neighbour at `address`, if any.
    func neighbour(at address: ServerAddress) -> Neighbour? { neighbours[address] }

    /// All configured neighbours.
    public var configuredNeighbours: [Neighbour] { Array(neighbours.values) }

    /// Adds or replaces a neighbour at run time.
    public func setNeighbour(_ neighbour: Neighbour) {
        guard neighbour.address != ownAddress else { return }
        neighbours[neighbour.address] = neighbour
    }

    /// Removes a neighbour: its list is dropped and its outbound link closed.
    public func removeNeighbour(at address: ServerAddress) {
        neighbours[address] = nil
        outboundLinks.removeValue(forKey: address)?.outbox.close(code: .goingAway, reason: "neighbour removed")
        clearNeighbourSlice(address)
    }

    /// Records that an authenticated link with `address` came up (inbound after a verified `server_hello`,
    /// or our own dialled socket).
    func linkUp(_ address: ServerAddress) { linkCounts[address, default: 0] += 1 }

    /// Records that a link went down; once no link with the neighbour remains, its client list is cleared.
    func linkDown(_ address: ServerAddress) {
        let remaining = (linkCounts[address] ?? 1) - 1
        linkCounts[address] = remaining > 0 ? remaining : nil
        if remaining <= 0 { clearNeighbourSlice(address) }
    }

    /// Registers our dialled socket to `address`: the only socket we send server-to-server traffic on.
    func registerOutboundLink(_ address: ServerAddress, connection: ConnectionID, outbox: Outbox) {
        outboundLinks[address]?.outbox.close(code: .goingAway, reason: "superseded by a new link")
        outboundLinks[address] = (connection, outbox)
        linkUp(address)
    }

    /// Unregisters our dialled socket when it ends.
    func unregisterOutboundLink(_ address: ServerAddress, connection: ConnectionID) {
        if outboundLinks[address]?.connection == connection { outboundLinks[address] = nil }
        linkDown(address)
    }

    /// Our dialled link's state and the number of authenticated links (both directions) with `address`.
    public func linkState(of address: ServerAddress) -> (outbound: Bool, links: Int) {
        (outboundLinks[address] != nil, linkCounts[address] ?? 0)
    }

    /// Whether our dialled link to `address` is up.
    public func isLinked(_ address: ServerAddress) -> Bool { outboundLinks[address] != nil }

    /// Replaces `address`'s slice of the client list with `keys` (minus any key connected here).
    func updateNeighbourClients(_ address: ServerAddress, keys: [RSAPublicKey]) {
        guard neighbours[address] != nil else { return }
        let filtered = keys.filter { clients[$0.fingerprint] == nil }
        if neighbourClients[address] == filtered { return }
        neighbourClients[address] = filtered
        neighbourKeyIndex[address, default: FingerprintIndex()].replaceAll(with: filtered)
        listChanged()
    }

    private func removeFromNeighbourSlice(_ address: ServerAddress, fingerprint: String) {
        guard neighbourKeyIndex[address]?.contains(fingerprint: fingerprint) == true else { return }
        neighbourClients[address]?.removeAll { $0.fingerprint == fingerprint }
        neighbourKeyIndex[address]?.remove(fingerprint: fingerprint)
    }

    private func clearNeighbourSlice(_ address: ServerAddress) {
        guard neighbourClients.removeValue(forKey: address) != nil else { return }
        neighbourKeyIndex[address] = nil
        listChanged()
    }

    /// Sends our `client_update` to one neighbour on our dialled link (answer to `client_update_request`).
    func sendClientUpdate(to address: ServerAddress) {
        guard let link = outboundLinks[address] else { return }
        _ = send(ByteBuffer(string: clientUpdateFrame()), to: link.outbox, link: address)
    }

    // MARK: Lists

    /// `client_update` with every client connected here.
    func clientUpdateFrame() -> String {
        Frame.clientUpdate(ClientUpdate(clients: localClientKeys)).text
    }

    /// `client_list` for local clients: our own clients first, then each neighbour's slice.
    func clientListFrame() -> String {
        var servers = [ClientList.Server(address: ownAddress.canonical, clients: localClientKeys)]
        for address in neighbourClients.keys.sorted(by: { $0.canonical < $1.canonical }) {
            servers.append(ClientList.Server(address: address.canonical, clients: neighbourClients[address] ?? []))
        }
        return Frame.clientList(ClientList(servers: servers)).text
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
        return perKey * (clients.count + neighbourClients.values.reduce(0) { $0 + $1.count })
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
        guard !outboundLinks.isEmpty else { return }
        let update = ByteBuffer(string: clientUpdateFrame())
        for (address, link) in outboundLinks { _ = queue(update, on: link.outbox, peer: "neighbour \(address)") }
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
        for link in outboundLinks.values { link.outbox.close(code: .goingAway, reason: reason) }
    }
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
