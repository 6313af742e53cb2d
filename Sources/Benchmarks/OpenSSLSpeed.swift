import Foundation
import Spawn

/// The `openssl speed rsa2048` baseline on this machine, for comparison with our PSS figures.
public enum OpenSSLSpeed {
    /// Sign and verify operations per second as `openssl speed` measures them (PKCS#1 v1.5, one process).
    public struct Baseline: Sendable {
        public let signPerSecond: Double
        public let verifyPerSecond: Double
    }

    /// The command that produces the baseline.
    public static func command(seconds: Int) -> [String] {
        ["openssl", "speed", "-mr", "-seconds", String(seconds), "rsa2048"]
    }

    /// Runs `openssl speed -mr -seconds N rsa2048` and parses its machine-readable `+F2` line. The child starts
    /// with a clean signal mask (`ChildProcess`): `openssl speed` ends each measurement with SIGALRM, which a
    /// mask inherited from a Swift worker thread blocks (it then never stops). Should it still run far longer
    /// than asked (a minute plus ten times `seconds`), it is killed and the baseline reported unavailable.
    public static func measure(seconds: Int) throws -> Baseline {
        let output: ChildOutput
        do {
            output = try ChildProcess.run(
                "/usr/bin/env", command(seconds: seconds), timeout: .seconds(60 + 10 * seconds))
        } catch {
            throw BenchmarkError.opensslUnavailable("\(error)")
        }
        return try parse(output.outputText)
    }

    /// Parses `+F2:<n>:2048:<sign/s>:<verify/s>` from `openssl speed -mr` output.
    public static func parse(_ output: String) throws -> Baseline {
        for line in output.split(separator: "\n") where line.hasPrefix("+F2:") {
            let fields = line.split(separator: ":")
            if fields.count >= 5, fields[2] == "2048", let sign = Double(fields[3]), let verify = Double(fields[4]) {
                return Baseline(signPerSecond: sign, verifyPerSecond: verify)
            }
        }
        throw BenchmarkError.opensslUnavailable("no +F2 line for rsa2048 in its output")
    }
}
