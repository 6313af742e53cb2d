public import Foundation
import Spawn

/// Runs blocking work (the control client's socket calls) on a dispatch thread, so it never holds one of the
/// few Swift concurrency threads that the in-process server under test needs to answer.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Runs a process to completion on a dispatch thread (never blocking the Swift concurrency pool, which the
/// in-process server under test needs) and collects its output. The child starts with a clean signal mask
/// (`ChildProcess`), whatever thread runs it.
public func runProcess(_ executable: URL, _ arguments: [String]) async throws -> (
    status: Int32, output: String, error: String
) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(
                with: Result {
                    let result = try ChildProcess.run(executable.path, arguments)
                    return (result.termination.code, result.outputText, result.errorText)
                })
        }
    }
}
