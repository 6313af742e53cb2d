import Core

/// How many RSA private-key operations receiving chats may cost. A `chat` carries no index to our `symm_keys`
/// entry, so opening one costs up to one private-key operation per entry (~0.2 ms in a release build, far more
/// in a debug build); a flood of many-key junk chats would otherwise keep the client's CPU busy and its UI slow.
/// Two budgets, so that a flood of many-key chats cannot starve direct and small group chats: chats with at most
/// `smallChatKeys` entries draw on their own.
public struct ChatOpeningBudget: Sendable {
    /// Chats with at most this many `symm_keys` entries are small (direct chats and small groups).
    public static let smallChatKeys = 4

    private var small: TokenBucket
    private var large: TokenBucket

    /// - Parameters:
    ///   - operationsPerSecond: private-key operations per second for each of the two budgets.
    ///   - burst: operations each budget may spend at once.
    public init(operationsPerSecond: Double = 256, burst: Double = 512, now: ContinuousClock.Instant = .now) {
        small = TokenBucket(rate: operationsPerSecond, burst: burst, now: now)
        large = TokenBucket(rate: operationsPerSecond, burst: burst, now: now)
    }

    /// Spends what opening a chat with `keys` entries may cost; false (nothing spent) when that budget is used up.
    public mutating func spend(keys: Int, now: ContinuousClock.Instant = .now) -> Bool {
        let cost = Double(max(1, keys))
        return keys <= Self.smallChatKeys ? small.take(cost, now: now) : large.take(cost, now: now)
    }
}
