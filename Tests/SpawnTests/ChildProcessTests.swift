import Foundation
import OlafBenchmarks
import Spawn
import Testing

/// Issue 14 part 5: children start with a clean signal state, whatever thread spawns them (`olaf-bench crypto`
/// hung because `openssl speed` inherited a worker thread's mask with SIGALRM blocked).
@Suite("ChildProcess: clean signal state, output, exit", .serialized, .timeLimit(.minutes(3)))
struct ChildProcessTests {
    /// The `Sig...:` line of /proc/self/status as a bit set (bit n-1 is signal n).
    static func signalSet(_ status: String, _ name: String) -> UInt64? {
        status.split(separator: "\n").first { $0.hasPrefix("\(name):") }
            .flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
    }

    static func bit(_ signal: Int32) -> UInt64 { 1 << UInt64(signal - 1) }

    @Test("a child spawned from a thread blocking SIGALRM and SIGTERM, with SIGUSR2 ignored, starts clean")
    func cleanMaskAndDispositions() async throws {
        // Ignored dispositions are process-wide and survive exec: ignore one nobody uses, for this test only.
        let previous = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, previous) }
        let (parentBlocked, status) = try await BlockedSignalThread.run {
            let result = try ChildProcess.run("/bin/cat", ["/proc/self/status"])
            return (BlockedSignalThread.isBlocked(SIGALRM), result.outputText)
        }
        #expect(parentBlocked, "the spawning thread really blocks SIGALRM")
        let blocked = try #require(Self.signalSet(status, "SigBlk"), "\(status)")
        let ignored = try #require(Self.signalSet(status, "SigIgn"), "\(status)")
        #expect(blocked == 0, "child's blocked signals: \(String(blocked, radix: 16))")
        for signal in [SIGALRM, SIGTERM, SIGINT, SIGCHLD, SIGUSR2] {
            #expect(ignored & Self.bit(signal) == 0, "signal \(signal) ignored in the child")
        }
    }

    @Test("SIGTERM ends a child spawned from a thread that blocks SIGTERM")
    func terminatesOnSigterm() async throws {
        let child = try await BlockedSignalThread.run { try ChildProcess.spawn("/bin/sleep", ["60"]) }
        #expect(child.isRunning)
        child.send(SIGTERM)
        let ended = await Task.detached { child.wait(timeout: .seconds(15)) }.value
        if ended == nil {
            child.send(SIGKILL)
            child.wait()
        }
        #expect(ended == .signalled(SIGTERM))
    }

    @Test("openssl speed, run by olaf-bench's baseline from a thread blocking SIGALRM, stops on its own")
    func opensslSpeedStops() async throws {
        let baseline = try await BlockedSignalThread.run { try OpenSSLSpeed.measure(seconds: 1) }
        #expect(baseline.signPerSecond > 0)
        #expect(baseline.verifyPerSecond > 0)
    }

    @Test("output of both streams is collected, exit status and signals are reported")
    func outputAndStatus() async throws {
        let result = try await BlockedSignalThread.run {
            // More than a pipe's buffer on both streams at once: read concurrently, or this would stall.
            try ChildProcess.run(
                "/bin/sh", ["-c", "yes a | head -c 200000; head -c 200000 /dev/zero >&2; exit 3"])
        }
        #expect(result.termination == .exited(3))
        #expect(result.standardOutput.count == 200_000)
        #expect(result.standardError.count == 200_000)
        let killed = try await BlockedSignalThread.run { try ChildProcess.run("/bin/sh", ["-c", "kill -KILL $$"]) }
        #expect(killed.termination == .signalled(SIGKILL))
        let environment = try await BlockedSignalThread.run {
            try ChildProcess.run("/usr/bin/env", [], environment: ["OLAF_SPAWN_TEST": "yes"])
        }
        #expect(environment.outputText == "OLAF_SPAWN_TEST=yes\n")
    }

    @Test("a child that outlives its timeout is killed and reported; a missing program is a clear error")
    func timeoutAndMissingProgram() async throws {
        await #expect(throws: SpawnError.timedOut(executable: "/bin/sleep", seconds: 1)) {
            try await BlockedSignalThread.run { try ChildProcess.run("/bin/sleep", ["60"], timeout: .seconds(1)) }
        }
        #expect(throws: SpawnError.spawnFailed(executable: "/nonexistent/olaf-program", errno: ENOENT)) {
            try ChildProcess.spawn("/nonexistent/olaf-program", [])
        }
    }

    @Test("the child holds no descriptor of the parent beyond 0, 1 and 2")
    func noInheritedDescriptors() async throws {
        let leaked = open("/dev/null", O_RDONLY)  // not close-on-exec: a plain fork/exec would pass it on
        defer { close(leaked) }
        let result = try ChildProcess.run("/bin/ls", ["/proc/self/fd"])
        let descriptors = result.outputText.split(separator: "\n").compactMap { Int32($0) }
        // ls itself opens one descriptor for the directory it lists.
        #expect(leaked <= 3 || !descriptors.contains(leaked), "descriptors in the child: \(descriptors)")
        #expect(descriptors.filter { $0 > 3 }.isEmpty, "descriptors in the child: \(descriptors)")
    }
}
