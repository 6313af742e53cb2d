import Foundation

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

    /// Runs `openssl speed -mr -seconds N rsa2048` and parses its machine-readable `+F2` line.
    public static func measure(seconds: Int) throws -> Baseline {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command(seconds: seconds)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw BenchmarkError.opensslUnavailable("\(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return try parse(output)
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
