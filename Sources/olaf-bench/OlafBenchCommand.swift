import ArgumentParser
import Foundation
import OlafBenchmarks

/// `olaf-bench`: OLAF's benchmarks. Run release builds: `swift run -c release olaf-bench crypto`.
@main
struct OlafBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olaf-bench", abstract: "OLAF benchmarks (use a release build).",
        subcommands: [
            CryptoCommand.self, RelayCommand.self, ConnectionsCommand.self, FilesCommand.self, StartupCommand.self,
            AllCommand.self, BroadcastServerCommand.self, CPUCommand.self,
        ])
}

/// `olaf-bench crypto [--seconds S] [--json] [--no-openssl] [--only NAME,...]`.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Crypto micro-benchmarks (single thread) beside `openssl speed rsa2048`.")

    @Option(help: "Seconds to spend on each measurement.")
    var seconds: Double = 2

    @Flag(help: "Print one JSON object {name: ops_per_second}.")
    var json = false

    @Flag(name: .customLong("no-openssl"), help: "Skip the `openssl speed rsa2048` baseline.")
    var noOpenSSL = false

    @Option(
        help: "Run only these measurements (comma-separated, e.g. public_key_parse,hello_first_verify); no baseline.")
    var only: String?

    func validate() throws {
        let unknown = selection?.subtracting(CryptoBenchmark.names) ?? []
        guard unknown.isEmpty else {
            throw ValidationError(
                "unknown measurement(s) \(unknown.sorted().joined(separator: ", ")); known: "
                    + CryptoBenchmark.names.joined(separator: ", "))
        }
    }

    private var selection: Set<String>? {
        only.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    }

    func run() throws {
        let results = try CryptoBenchmark.run(seconds: seconds, only: selection)
        let baseline =
            noOpenSSL || only != nil ? nil : try OpenSSLSpeed.measure(seconds: max(1, Int(seconds.rounded())))
        var figures = results.map { ($0.name, $0.opsPerSecond) }
        if let baseline {
            figures.append(("openssl_rsa2048_sign", baseline.signPerSecond))
            figures.append(("openssl_rsa2048_verify", baseline.verifyPerSecond))
        }
        if json {
            let body = figures.map { "\"\($0.0)\": \(String(format: "%.1f", $0.1))" }.joined(separator: ", ")
            print("{\(body)}")
            return
        }
        print(pad("measurement", 20) + pad("ops/s", 12) + pad("µs/op", 10) + "what")
        for result in results {
            print(
                pad(result.name, 20) + pad(String(format: "%.0f", result.opsPerSecond), 12)
                    + pad(String(format: "%.1f", 1e6 / result.opsPerSecond), 10) + result.explanation)
        }
        if let baseline {
            let verify = results.first { $0.name == "pss_verify" }?.opsPerSecond ?? 0
            let sign = results.first { $0.name == "pss_sign" }?.opsPerSecond ?? 0
            print(
                "\n`\(OpenSSLSpeed.command(seconds: max(1, Int(seconds.rounded()))).joined(separator: " "))`:"
                    + " sign \(String(format: "%.0f", baseline.signPerSecond))/s,"
                    + " verify \(String(format: "%.0f", baseline.verifyPerSecond))/s")
            print(
                "our PSS verify = \(String(format: "%.1f", 100 * verify / baseline.verifyPerSecond))% of openssl's verify/s;"
                    + " our PSS sign = \(String(format: "%.1f", 100 * sign / baseline.signPerSecond))% of openssl's sign/s"
            )
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
