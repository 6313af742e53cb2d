public import OlafCrypto
import Synchronization
import Testing

/// Keys for tests. Within one test every call returns a different key, so a test never meets the same identity
/// twice; across tests keys are reused, because generating a 2048-bit RSA key costs 0.1-0.4 s of CPU on the
/// calling thread, and a full run used to generate hundreds of them on the 2 threads of the concurrency pool that
/// every in-process server also needs (the pool starved, servers answered seconds late, deadlines failed).
/// Tests run in parallel never share a server or a store, so a key seen in another test changes nothing.
public enum TestKeys {
    /// A key for a server.
    public static func server() throws -> RSAPrivateKey { try pool.next(for: Test.current?.id) }
    /// A key for a client.
    public static func user() throws -> RSAPrivateKey { try pool.next(for: Test.current?.id) }

    static let pool = TestKeyPool()
}

/// The keys generated so far, and which test has had which. A caller outside any test's task (no `Test.current`,
/// for example on a plain thread) gets a newly generated key that never joins the pool: the test it works for
/// could otherwise be handed the same key later.
final class TestKeyPool: Sendable {
    private struct State {
        var keys: [RSAPrivateKey] = []
        var handedOut: [Test.ID: Set<Int>] = [:]
    }
    private let state = Mutex(State())

    /// A key `test` has not had yet: one from the pool if there is such a key, else a new one (generated outside
    /// the lock, so tests needing new keys at the same moment generate them in parallel).
    func next(for test: Test.ID?) throws -> RSAPrivateKey {
        if let test {
            let reused: RSAPrivateKey? = state.withLock { state in
                let had = state.handedOut[test, default: []]
                guard let index = state.keys.indices.first(where: { !had.contains($0) }) else { return nil }
                state.handedOut[test, default: []].insert(index)
                return state.keys[index]
            }
            if let reused { return reused }
        }
        let key = try RSAPrivateKey.generate()
        guard let test else { return key }
        state.withLock { state in
            state.keys.append(key)
            state.handedOut[test, default: []].insert(state.keys.count - 1)
        }
        return key
    }
}
