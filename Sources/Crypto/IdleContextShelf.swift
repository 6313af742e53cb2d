import COpenSSL
import Synchronization

/// Idle, initialised `EVP_PKEY_CTX` objects of one kind, kept for reuse by a pool: `take` hands one to exactly
/// one caller, `put` parks it again (or frees it when `capacity` are already parked). Frees what it holds on
/// deinit.
final class IdleContextShelf: Sendable {
    private let idle = Mutex<[IdleContext]>([])
    private let capacity: Int

    /// - Parameter capacity: how many idle contexts to keep; more are freed on `put`.
    init(capacity: Int) {
        self.capacity = capacity
    }

    deinit {
        idle.withLock { contexts in
            for context in contexts { EVP_PKEY_CTX_free(context.pointer) }
            contexts.removeAll()
        }
    }

    /// An idle context, now owned by the caller until it is `put` back; nil when none is parked.
    func take() -> OpaquePointer? { idle.withLock { $0.popLast()?.pointer } }

    /// Parks `context` for the next caller, or frees it when the shelf is full.
    func put(_ context: OpaquePointer) {
        let kept = idle.withLock { contexts -> Bool in
            guard contexts.count < capacity else { return false }
            contexts.append(IdleContext(pointer: context))
            return true
        }
        if !kept { EVP_PKEY_CTX_free(context) }
    }
}

/// An idle EVP_PKEY_CTX parked on a shelf.
struct IdleContext: @unchecked Sendable {
    // @unchecked Sendable: an idle context is referenced only from the shelf's Mutex-protected array; it moves
    // out of the array (under the lock) before any thread uses it, so it is never shared between threads.
    let pointer: OpaquePointer
}
