public import Foundation

/// Runs blocking work (the control client's socket calls) on a dispatch thread, so it never holds one of the
/// few Swift concurrency threads that the in-process server under test needs to answer.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Runs a process to completion on a dispatch thread (never blocking the Swift concurrency pool, which the
/// in-process server under test needs) and collects its output.
public func runProcess(_ executable: URL, _ arguments: [String]) async throws -> (
    status: Int32, output: String, error: String
) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProcessBlocking(executable, arguments) })
        }
    }
}

private func runProcessBlocking(_ executable: URL, _ arguments: [String]) throws -> (
    status: Int32, output: String, error: String
) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
