import Core
import OlafCrypto

/// Which clients each neighbour says are connected to it, and which of those the client list shows.
///
/// A key listed by two neighbours at once is *contested*: one of them is lying (or a user is moving between
/// servers and the old list is stale). Whichever we picked, a hostile neighbour could get chats addressed to
/// itself by listing other servers' users; so a contested key is listed under neither until only one claims it.
/// The cost is that a user is invisible while a hostile neighbour keeps contesting them; chats are never
/// misdirected. Keys connected here never count as claims (the hub withdraws them).
struct NeighbourClaims {
    /// Each neighbour's claims, without repeats, in its order.
    private var claims: [ServerAddress: [RSAPublicKey]] = [:]
    /// Every spelling of each neighbour's claimed fingerprints (public_chat senders are looked up here).
    private var indexes: [ServerAddress: FingerprintIndex] = [:]
    /// Canonical fingerprint → how many neighbours claim it.
    private var claimants: [String: Int] = [:]
    /// What the client list shows: each neighbour's uncontested claims. A neighbour that sent a list (even an
    /// empty one) has an entry until its links are gone.
    private(set) var listed: [ServerAddress: [RSAPublicKey]] = [:]
    /// Keys claimed by more than one neighbour now.
    private(set) var contestedCount = 0

    /// Keys in `listed`, all neighbours together.
    var listedCount: Int { listed.values.reduce(0) { $0 + $1.count } }

    /// What a replacement did.
    struct Change: Equatable {
        /// The client list changed (for any neighbour: a new conflict hides another neighbour's key too).
        var listChanged: Bool
        /// Keys this replacement newly contested.
        var newConflicts: Int
    }

    /// Replaces `address`'s claims with `keys` (duplicates ignored). `keys` empty and `forget` drops the
    /// neighbour's entry from the list altogether (its links are gone).
    mutating func replace(_ address: ServerAddress, with keys: [RSAPublicKey], forget: Bool = false) -> Change {
        var seen = Set<String>()
        let unique = keys.filter { seen.insert($0.fingerprint).inserted }
        let old = claims[address] ?? []
        if old == unique, forget == (listed[address] == nil) { return Change(listChanged: false, newConflicts: 0) }
        for key in old { release(key.fingerprint) }
        var newConflicts = 0
        for key in unique {
            let before = claimants[key.fingerprint, default: 0]
            if before >= 1, !old.contains(where: { $0.fingerprint == key.fingerprint }) { newConflicts += 1 }
            claimants[key.fingerprint] = before + 1
        }
        if unique.isEmpty {
            claims[address] = nil
            indexes[address] = nil
        } else {
            claims[address] = unique
            indexes[address, default: FingerprintIndex()].replaceAll(with: unique)
        }
        let before = listed
        recomputeListed(keeping: forget ? nil : address, forgetting: forget ? address : nil)
        return Change(listChanged: before != listed, newConflicts: newConflicts)
    }

    /// Drops `fingerprint` from every neighbour's claims (it connected here).
    mutating func withdraw(_ fingerprint: String) {
        var changed = false
        for (address, keys) in claims where keys.contains(where: { $0.fingerprint == fingerprint }) {
            let remaining = keys.filter { $0.fingerprint != fingerprint }
            claims[address] = remaining
            indexes[address]?.remove(fingerprint: fingerprint)
            release(fingerprint)
            changed = true
        }
        if changed { recomputeListed(keeping: nil, forgetting: nil) }
    }

    /// The neighbours that list `fingerprint` now (contested or not), in address order.
    func claimants(of fingerprint: String) -> [ServerAddress] {
        guard claimants[fingerprint] != nil else { return [] }
        return claims.compactMap { address, keys in
            keys.contains { $0.fingerprint == fingerprint } ? address : nil
        }.sorted { $0.spelling < $1.spelling }
    }

    /// The key of a client that `neighbour` claims, by its fingerprint in any accepted spelling.
    func key(for claimed: String, listedBy neighbour: ServerAddress) -> RSAPublicKey? {
        indexes[neighbour]?.key(for: claimed)
    }

    private mutating func release(_ fingerprint: String) {
        let remaining = claimants[fingerprint, default: 1] - 1
        claimants[fingerprint] = remaining > 0 ? remaining : nil
    }

    /// Rebuilds `listed` from the claims. Neighbours listed before keep an (empty) entry, and so does
    /// `keeping`; `forgetting` loses its entry.
    private mutating func recomputeListed(keeping: ServerAddress?, forgetting: ServerAddress?) {
        var next: [ServerAddress: [RSAPublicKey]] = [:]
        for (neighbour, keys) in claims { next[neighbour] = keys.filter { claimants[$0.fingerprint] == 1 } }
        for neighbour in listed.keys where next[neighbour] == nil { next[neighbour] = [] }
        if let keeping, next[keeping] == nil { next[keeping] = [] }
        if let forgetting { next[forgetting] = nil }
        listed = next
        contestedCount = claimants.values.count { $0 > 1 }
    }
}
