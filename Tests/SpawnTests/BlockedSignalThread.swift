import Foundation

/// Runs work on a new thread whose signal mask blocks `signals`, the way Swift's worker threads block
/// SIGALRM and SIGTERM, and hands back its result.
enum BlockedSignalThread {
    static func run<T: Sendable>(
        blocking signals: [Int32] = [SIGALRM, SIGTERM, SIGINT, SIGCHLD],
        _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                var mask = sigset_t()
                sigemptyset(&mask)
                for signal in signals { sigaddset(&mask, signal) }
                pthread_sigmask(SIG_BLOCK, &mask, nil)
                continuation.resume(with: Result { try body() })
            }
            thread.start()
        }
    }

    /// Whether `signal` is blocked on the calling thread.
    static func isBlocked(_ signal: Int32) -> Bool {
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        return sigismember(&mask, signal) == 1
    }
}
