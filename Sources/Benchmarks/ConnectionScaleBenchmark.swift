import Core
import Foundation
public import NIOCore
import NIOPosix
import OlafCrypto

/// N clients connect to one olafd and say hello; measures the hello rate, the server's RSS per connection,
/// and that one public_chat then reaches every other client.
public struct ConnectionScaleBenchmark: Sendable {
    public var clients = 1_000
    /// Connections being set up at the same time.
    public var concurrency = 128

    public init() {}

    public struct Result: Sendable {
        public var clients: Int
        public var greetSeconds: Double
        /// olafd's CPU time (user + system) from the first connect until all were greeted.
        public var greetCPUSeconds: Double
        /// This process's (the load generator's) CPU time over the same span.
        public var generatorCPUSeconds: Double
        public var rssBefore: Int
        public var rssAfter: Int
        public var chatReached: Int
        public var chatSeconds: Double

        public var hellosPerSecond: Double { Double(clients) / greetSeconds }
        /// olafd's own CPU per greeted client: what the server could sustain if the generator were elsewhere.
        public var cpuMicrosPerHello: Double { greetCPUSeconds * 1e6 / Double(clients) }
        /// The generator's own CPU per client it connected and greeted (it shares the cores with olafd).
        public var generatorMicrosPerHello: Double { generatorCPUSeconds * 1e6 / Double(clients) }
        /// The hello rate olafd's CPU per hello allows on this machine's cores with the generator elsewhere.
        public var serverBoundHellosPerSecond: Double { Double(System.coreCount) * 1e6 / cpuMicrosPerHello }
        public var rssPerConnection: Double { Double(rssAfter - rssBefore) / Double(clients) }
    }

    /// Keys and hellos (not timed), plus one public_chat from client 0.
    public struct Prepared: Sendable {
        let hellos: [ByteBuffer]
        let chat: ByteBuffer
    }

    public func prepare(keyCache: KeyCache) throws -> Prepared {
        let keys = try keyCache.keys(count: clients)
        let start = ContinuousClock.now
        let hellos = try (0..<clients).map { index in try MessageFactory.hello(key: keys[index], index: index) }
        let chat = try MessageFactory.messages(
            kind: .publicChat, senders: [(0, keys[0])], count: 1, recipients: [])[0][0]
        print("signed \(clients) hellos in \((ContinuousClock.now - start).secondsText) s (not timed)")
        return Prepared(hellos: hellos, chat: chat)
    }

    public func run(_ prepared: Prepared, server: OlafdInstance, group: any EventLoopGroup) async throws -> Result {
        let tally = DeliveryTally()
        let port = server.port
        try await Task.sleep(for: .milliseconds(500))
        let rssBefore = ProcessStats.residentBytes(pid: server.pid)
        let cpuBefore = ProcessStats.cpuSeconds(pid: server.pid)
        let generatorCPUBefore = ProcessStats.cpuSeconds(pid: getpid())
        let start = ContinuousClock.now
        var connected: [BenchClient] = []
        var first: BenchClient?
        connected.reserveCapacity(clients)
        do {
            try await withThrowingTaskGroup(of: (Int, BenchClient).self) { group_ in
                var next = 0
                func launch() {
                    let index = next
                    next += 1
                    group_.addTask {
                        let client = try await BenchClient.connect(
                            port: port, group: group, tally: tally,
                            role: .init(isReceiver: true, recordLatency: false, sampleLimit: 0))
                        try await client.send(prepared.hellos[index])
                        return (index, client)
                    }
                }
                while next < min(concurrency, clients) { launch() }
                while let (index, client) = try await group_.next() {
                    if index == 0 { first = client }
                    connected.append(client)
                    if next < clients { launch() }
                }
            }
            try ServerControl.wait("\(clients) clients greeted", timeout: .seconds(300)) {
                ServerControl.clients(server) == clients
            }
            let greetSeconds = (ContinuousClock.now - start).seconds
            let greetCPUSeconds = ProcessStats.cpuSeconds(pid: server.pid) - cpuBefore
            let generatorCPUSeconds = ProcessStats.cpuSeconds(pid: getpid()) - generatorCPUBefore
            // Let the coalesced client_list pushes settle before reading RSS.
            try await Task.sleep(for: .seconds(2))
            let rssAfter = ProcessStats.residentBytes(pid: server.pid)
            let chatStart = ContinuousClock.now
            // Client 0 signed the chat; it must come from client 0's connection.
            try await first?.send(prepared.chat)
            let deadline = ContinuousClock.now + .seconds(60)
            while tally.deliveryCount < clients - 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            let result = Result(
                clients: clients, greetSeconds: greetSeconds, greetCPUSeconds: greetCPUSeconds,
                generatorCPUSeconds: generatorCPUSeconds, rssBefore: rssBefore, rssAfter: rssAfter,
                chatReached: tally.deliveryCount, chatSeconds: (ContinuousClock.now - chatStart).seconds)
            for client in connected { await client.close() }
            return result
        } catch {
            for client in connected { await client.close() }
            throw error
        }
    }
}
