import Core
import Foundation
public import NIOCore
import NIOPosix
import OlafCrypto

/// Relay throughput (senders write as fast as the sockets take frames) or latency (senders write at a fixed
/// total rate) through one server or across two linked servers: senders on the first server, receivers on the
/// last. Every delivery is counted; a sample is fully verified.
public struct RelayBenchmark: Sendable {
    public var servers = 1
    public var senders = 4
    public var receivers = 4
    public var kind = MessageFactory.Kind.publicChat
    public var messagesPerSender = 10_000
    /// Total offered messages per second over all senders; nil writes as fast as possible.
    public var offeredRate: Double?
    public var samplesPerReceiver = 50
    /// Stop waiting when no delivery arrived for this long.
    public var stallTimeout: Duration = .seconds(10)

    public init() {}

    /// Figures of one run.
    public struct Result: Sendable {
        public var messagesIn: Int
        public var expectedReceiverDeliveries: Int
        public var receiverDeliveries: Int
        public var allDeliveries: Int
        public var seconds: Double
        public var verifiedSamples: Int
        public var serverCPUSeconds: Double
        /// End-to-end latencies in ns (latency mode only), sorted.
        public var latencies: [UInt64]

        public var messagesPerSecond: Double { Double(messagesIn) / seconds }
        public var deliveriesPerSecond: Double { Double(allDeliveries) / seconds }
        public var receiverDeliveriesPerSecond: Double { Double(receiverDeliveries) / seconds }
        /// Server CPU time per message relayed, µs.
        public var cpuMicrosPerMessage: Double { serverCPUSeconds * 1e6 / Double(max(messagesIn, 1)) }
        public var lost: Int { expectedReceiverDeliveries - receiverDeliveries }

        /// Percentile `p` (0…100) of the latencies, ms.
        public func latencyMillis(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let rank = min(latencies.count - 1, Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1)
            return Double(latencies[max(0, rank)]) / 1e6
        }
    }

    /// Signed frames for a run, reusable across runs against fresh servers (counters start over).
    public struct Prepared: Sendable {
        let keys: [RSAPrivateKey]
        let hellos: [ByteBuffer]
        let messages: [[ByteBuffer]]
    }

    /// Loads keys and signs every frame (not timed).
    public func prepare(keyCache: KeyCache, serverAddresses: [String]) throws -> Prepared {
        let keys = try keyCache.keys(count: senders + receivers)
        let hellos = try keys.indices.map { try MessageFactory.hello(key: keys[$0], index: $0) }
        let destination = serverAddresses.last ?? "127.0.0.1:1"
        let recipients = (senders..<(senders + receivers)).map {
            ChatRecipient(publicKey: keys[$0].publicKey, homeServer: destination)
        }
        let start = ContinuousClock.now
        let messages = try MessageFactory.messages(
            kind: kind, senders: (0..<senders).map { ($0, keys[$0]) }, count: messagesPerSender,
            recipients: recipients)
        let elapsed = ContinuousClock.now - start
        print(
            "signed \(senders * messagesPerSender) \(kind.rawValue) frames in \(elapsed.secondsText) s (not timed)")
        return Prepared(keys: keys, hellos: hellos, messages: messages)
    }

    /// Runs once against `neighbourhood` (fresh servers: counters start over).
    public func run(_ prepared: Prepared, on target: some RelayTarget, group: any EventLoopGroup) async throws
        -> Result
    {
        let tally = DeliveryTally()
        var clients: [BenchClient] = []
        do {
            let result = try await measure(prepared, on: target, group: group, tally: tally, clients: &clients)
            for client in clients { await client.close() }
            return result
        } catch {
            for client in clients { await client.close() }
            throw error
        }
    }

    private func measure(
        _ prepared: Prepared, on target: some RelayTarget, group: any EventLoopGroup, tally: DeliveryTally,
        clients: inout [BenchClient]
    ) async throws -> Result {
        let firstPort = target.ports[0]
        let lastPort = target.ports[target.ports.count - 1]
        for index in prepared.keys.indices {
            let isReceiver = index >= senders
            let role = BenchClientHandler.Role(
                isReceiver: isReceiver, recordLatency: isReceiver && offeredRate != nil,
                sampleLimit: isReceiver ? samplesPerReceiver : 0, watchClientList: isReceiver)
            let client = try await BenchClient.connect(
                port: isReceiver ? lastPort : firstPort, group: group, tally: tally, role: role)
            try await client.send(prepared.hellos[index])
            clients.append(client)
        }
        try await target.waitGreeted(perPort: target.ports.count == 1 ? [senders + receivers] : [senders, receivers])
        if target.ports.count > 1 {
            // The receivers' server checks a neighbour's public_chat against the keys the neighbour listed in its
            // client_update: wait until the receivers' client_list shows every client of both servers.
            let deadline = ContinuousClock.now + .seconds(30)
            for receiver in clients[senders...] {
                while try await receiver.onLoop({ $0.listedKeys }) < senders + receivers {
                    guard ContinuousClock.now < deadline else {
                        throw BenchError.timeout("receivers' client_list never listed the senders")
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
        }
        let expected = senders * messagesPerSender * receivers
        let cpuBefore = target.cpuSeconds
        let start = ContinuousClock.now
        for sender in 0..<senders {
            let frames = prepared.messages[sender]
            if let rate = offeredRate {
                let perSender = rate / Double(senders)
                try await clients[sender].onLoop { $0.pace(frames, perSecond: perSender) }
            } else {
                try await clients[sender].onLoop { $0.blast(frames) }
            }
        }
        var lastCount = 0
        var lastProgress = ContinuousClock.now
        while true {
            let count = tally.receiverDeliveryCount
            let now = ContinuousClock.now
            if count != lastCount {
                lastCount = count
                lastProgress = now
            }
            if count >= expected || now - lastProgress > stallTimeout { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        let elapsed = (lastProgress - start).seconds
        let cpu = target.cpuSeconds - cpuBefore
        if lastCount < expected { target.explainLoss() }
        // Gather receipts, send times and samples from the handlers.
        var sendTimes: [Int: [UInt64]] = [:]
        for sender in 0..<senders { sendTimes[sender] = try await clients[sender].onLoop { $0.sentAt } }
        var latencies: [UInt64] = []
        var verified = 0
        for receiver in senders..<(senders + receivers) {
            let (receipts, samples) = try await clients[receiver].onLoop { ($0.receipts, $0.samples) }
            for receipt in receipts {
                guard let (key, message) = MessageFactory.decode(counter: receipt.counter),
                    let times = sendTimes[key], times.indices.contains(message), times[message] > 0
                else { continue }
                latencies.append(receipt.nanos &- times[message])
            }
            for sample in samples {
                try SampleVerifier.verify(sample, receiver: prepared.keys[receiver], keys: prepared.keys)
                verified += 1
            }
        }
        latencies.sort()
        return Result(
            messagesIn: tally.receiverDeliveryCount / max(receivers, 1),
            expectedReceiverDeliveries: expected, receiverDeliveries: tally.receiverDeliveryCount,
            allDeliveries: tally.deliveryCount, seconds: elapsed, verifiedSamples: verified,
            serverCPUSeconds: cpu, latencies: latencies)
    }
}
