import OlafTestSupport
import Core
import Foundation
import OlafCrypto
import Testing

/// The end of every attack test: a fresh client (new key) connects, says hello and is listed in a client list,
/// and a public chat between two fresh clients arrives, verified. Proves the server still serves after whatever
/// the test threw at it.
func assertHealthy(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    try await assertHealthy(url: server.url, address: server.address, sourceLocation: sourceLocation)
}

/// ``assertHealthy(_:sourceLocation:)`` for a server reached by URL (an `olafd` process).
func assertHealthy(url: String, address: ServerAddress, sourceLocation: SourceLocation = #_sourceLocation)
    async throws
{
    // Keys first (from the test's own task, so they come from TestKeys' pool; a test that has used every pooled
    // key generates one, up to 0.4 s of CPU each), then each client says hello as soon as it is connected: a
    // client left silent while the next one is set up can meet the server's 10 s hello timeout on a loaded
    // machine (seen: the first client closed "no hello within 10 s" while the second was listed).
    let (aliceKey, bobKey) = (try TestKeys.user(), try TestKeys.user())
    // The two clients stay connected until the server stops, like every other test client: closing them here
    // (in ~20 parallel tests) made unrelated servers' graceful shutdowns overrun 15 s on a loaded machine.
    let alice = await TestClient(url: url, key: aliceKey)
    try alice.sendHello()
    let bob = await TestClient(url: url, key: bobKey)
    try bob.sendHello()
    let expected: Set = [alice.fingerprint, bob.fingerprint]
    let listed = await alice.clientList { $0.fingerprints(at: address).isSuperset(of: expected) }
    #expect(
        listed != nil, "health: fresh clients were not listed by \(url); \(alice.diagnosis) \(bob.diagnosis)",
        sourceLocation: sourceLocation)
    let message = "health check \(UUID().uuidString)"
    try alice.sendPublicChat(message)
    #expect(
        await bob.waitForPublicChat(message, from: alice), "health: a public chat did not arrive on \(url)",
        sourceLocation: sourceLocation)
}
