import OlafTestSupport
import ControlClient
import Foundation
import Testing

/// olafctl against an olafd that accepts the control connection and then never answers (hung or overloaded): it
/// must fail with a clear message after its timeout, not wait forever.
@Suite("olafctl's control client: bounded waits", .timeLimit(.minutes(1)))
struct ControlClientTimeoutTests {
    @Test("a control socket that accepts but never answers: .timedOut after the timeout, with an actionable message")
    func silentControlSocket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("olafctl-timeout-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/control.sock"
        // Listening, never accepting: the kernel completes the connection from the backlog; nothing reads or answers.
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)

        let client = {
            var client = UnixHTTPClient(socketPath: path)
            client.timeout = .seconds(1)
            return client
        }()
        let start = ContinuousClock.now
        // The blocking read runs off the concurrency pool.
        let outcome = try await offPool { Result { () throws(ControlClientError) in try client.send("GET", "/v1/status") } }
        guard case .failure(let error) = outcome, case .timedOut(seconds: 1) = error else {
            Issue.record("expected .timedOut(seconds: 1), got \(outcome)")
            return
        }
        #expect(error.description.contains("did not answer within 1 s"))
        #expect(error.exitCode == 1)
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
