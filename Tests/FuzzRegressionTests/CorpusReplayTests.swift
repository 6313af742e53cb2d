import Foundation
import OlafFuzzHarnesses
import Testing

/// Replays every committed corpus input and every crash reproducer through its harness in the normal test run,
/// so each fuzzing finding stays fixed (Fuzz/Regressions/<harness>/) and the corpus keeps parsing.
@Suite struct CorpusReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz", isDirectory: true)

    static func inputs(in folder: String, harness: FuzzHarness) -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(harness.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzHarness.allCases)
    func corpusReplays(_ harness: FuzzHarness) throws {
        let files = Self.inputs(in: "Corpus", harness: harness)
        #expect(!files.isEmpty, "Fuzz/Corpus/\(harness.rawValue) is empty")
        for file in files {
            #expect(throws: Never.self, "\(file.lastPathComponent)") {
                try harness.run(Array(try Data(contentsOf: file)))
            }
        }
    }

    @Test(arguments: FuzzHarness.allCases)
    func regressionsReplay(_ harness: FuzzHarness) throws {
        for file in Self.inputs(in: "Regressions", harness: harness) {
            #expect(throws: Never.self, "\(file.lastPathComponent)") {
                try harness.run(Array(try Data(contentsOf: file)))
            }
        }
    }

    @Test(arguments: FuzzHarness.allCases)
    func seedsRunClean(_ harness: FuzzHarness) throws {
        let seeds = try SeedCorpus.seeds(for: harness)
        #expect(!seeds.isEmpty)
        for seed in seeds {
            #expect(throws: Never.self, "\(seed.name)") { try harness.run(seed.bytes) }
        }
    }
}
