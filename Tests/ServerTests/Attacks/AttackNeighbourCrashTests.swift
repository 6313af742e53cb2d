import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Server
import Testing

extension AttackSuite {
    /// A neighbour that dies mid-traffic (issue 7 attack suite): two real olafd processes, one killed with SIGKILL
    /// while clients chat and then restarted on its state. A graceful in-process restart is covered by
    /// NeighbourhoodTests.neighbourRestart.
    @Suite("Attack: neighbour killed during traffic", .timeLimit(.minutes(3)))
    struct AttackNeighbourCrashTests {
        /// Starts olafd `index` of a two-server neighbourhood (neighbours files written once by the caller).
        private func start(_ index: Int, ports: [Int], states: [String]) async throws -> OlafdProcess {
            try await OlafdProcess(
                port: ports[index], stateDirectory: states[index],
                extra: ["--neighbours-file", (states[index] as NSString).appendingPathComponent("neighbours.json")])
        }

        /// Sends public chats from `sender` until `recipient` receives one (a link may still be coming up).
        private func publicChatArrives(from sender: TestClient, to recipient: TestClient, tag: String) async throws
            -> Bool
        {
            for attempt in 0..<80 {
                try sender.sendPublicChat("\(tag) \(attempt)")
                if await recipient.waitForPublicChat("\(tag) \(attempt)", from: sender, timeout: .milliseconds(500)) {
                    return true
                }
            }
            return false
        }

        @Test("kill -9 of a neighbour while clients chat: the survivor serves on, the link recovers after the restart")
        func killNeighbourDuringTraffic() async throws {
            let states = [OlafdProcess.temporaryDirectory(), OlafdProcess.temporaryDirectory()]
            let ports = [try TestPorts.free(), try TestPorts.free()]
            let addresses = try ports.map { try ServerAddress(parsing: "127.0.0.1:\($0)") }
            var keys: [String] = []
            for state in states {
                keys.append(try await OlafdProcess.run(["key", "show", "--state-dir", state]).output)
            }
            for index in 0..<2 {
                let other = 1 - index
                let entry: JSONValue = .array([
                    .object(["address": .string(addresses[other].canonical), "public_key": .string(keys[other])])
                ])
                try JSONWriter.python(entry).write(
                    toFile: (states[index] as NSString).appendingPathComponent("neighbours.json"), atomically: true,
                    encoding: .utf8)
            }
            let serverA = try await start(0, ports: ports, states: states)
            var serverB = try await start(1, ports: ports, states: states)
            let alice = try await TestClient.connected(to: serverA.url)
            let bob = try await TestClient.connected(to: serverB.url)
            #expect(await alice.clientList { $0.fingerprints(at: addresses[1]).contains(bob.fingerprint) } != nil)
            #expect(try await publicChatArrives(from: alice, to: bob, tag: "before"))

            // Traffic both ways while B dies.
            let aliceURL = serverA.url
            let traffic = Task {
                for round in 0..<200 {
                    _ = try? alice.sendPublicChat("traffic \(round)")
                    _ = try? bob.sendPublicChat("traffic \(round)")
                    guard await pause(.milliseconds(5)) else { break }
                }
                return aliceURL
            }
            #expect(await bob.waitForPublicChat("traffic 20", from: alice))
            #expect(await serverB.stop(signal: SIGKILL) != nil)
            _ = await traffic.value
            #expect(await bob.waitUntilClosed())
            #expect(!alice.hasEnded)
            #expect(await alice.clientList { $0.fingerprints(at: addresses[1]).isEmpty } != nil)
            try await assertHealthy(url: serverA.url, address: addresses[0])

            serverB = try await start(1, ports: ports, states: states)
            let bob2 = try await TestClient.connected(to: serverB.url)
            #expect(
                await alice.clientList(timeout: .seconds(40)) {
                    $0.fingerprints(at: addresses[1]).contains(bob2.fingerprint)
                }
                    != nil)
            #expect(try await publicChatArrives(from: alice, to: bob2, tag: "A to B after"))
            #expect(try await publicChatArrives(from: bob2, to: alice, tag: "B to A after"))
            try await assertHealthy(url: serverA.url, address: addresses[0])
            try await assertHealthy(url: serverB.url, address: addresses[1])
            _ = await serverA.stop()
            _ = await serverB.stop()
        }
    }
}
