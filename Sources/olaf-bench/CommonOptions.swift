import ArgumentParser
import OlafBenchmarks

/// Options every server benchmark takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "olafd to run (default: the olafd next to this olaf-bench).")
    var olafd: String?

    @Option(name: .customLong("key-cache"), help: "Directory of cached client keys (default ~/.cache/olaf-bench/keys).")
    var keyCache: String?

    @Option(help: "Repetitions; the table shows median and min–max.")
    var runs: Int = 3

    @Flag(help: "A few seconds in all, for CI (works with debug builds; figures meaningless).")
    var smoke = false

    func setup() throws -> BenchSetup { try BenchSetup(olafd: olafd, keyCache: keyCache) }
}
