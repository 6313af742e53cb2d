import Core
import OlafCrypto
import OlafTestSupport
@testable import Server
import Testing

/// `NeighbourClaims`: which neighbour-listed keys the client list shows when neighbours disagree.
@Suite("Neighbour claims")
struct NeighbourClaimsTests {
    let a = try! ServerAddress(parsing: "a:1"), b = try! ServerAddress(parsing: "b:1")
    let k1 = try! TestKeys.user().publicKey, k2 = try! TestKeys.user().publicKey

    @Test("a key listed by two neighbours is shown under neither until one withdraws it")
    func contested() {
        var claims = NeighbourClaims()
        #expect(claims.replace(a, with: [k1, k1]) == .init(listChanged: true, newConflicts: 0))
        #expect(claims.listed[a] == [k1])
        #expect(claims.replace(b, with: [k1, k2]) == .init(listChanged: true, newConflicts: 1))
        #expect(claims.listed[a] == [] && claims.listed[b] == [k2])
        #expect(claims.contestedCount == 1)
        // Repeating the same list is no change and no new conflict.
        #expect(claims.replace(b, with: [k1, k2]) == .init(listChanged: false, newConflicts: 0))
        #expect(claims.replace(b, with: [k2]).listChanged)
        #expect(claims.listed[a] == [k1] && claims.contestedCount == 0)
        // The public_chat lookup sees every claim, contested or not.
        #expect(claims.key(for: k1.fingerprint, listedBy: a) == k1)
    }

    @Test("a withdrawn key (connected here) and a forgotten neighbour leave the list")
    func withdrawAndForget() {
        var claims = NeighbourClaims()
        _ = claims.replace(a, with: [k1, k2])
        _ = claims.replace(b, with: [])
        #expect(claims.listed[b] == [])
        claims.withdraw(k1.fingerprint)
        #expect(claims.listed[a] == [k2])
        #expect(claims.replace(a, with: [], forget: true).listChanged)
        #expect(claims.listed[a] == nil && claims.listed[b] == [])
        #expect(claims.listedCount == 0)
    }
}
