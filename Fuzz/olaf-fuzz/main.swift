// olaf-fuzz: the libFuzzer driver for the OLAF harnesses (see Fuzz/README.md).
//
// Fuzzing build (scripts/fuzz build: -sanitize=fuzzer,address -DOLAF_FUZZ): OLAF_FUZZ_TARGET names the harness,
// every argument goes to libFuzzer. SwiftPM links executables with `--defsym main=<module>_main`, so this file's
// top-level code is the program's `main` even though libFuzzer brings its own; it hands over to libFuzzer with
// LLVMFuzzerRunDriver. LLVMFuzzerTestOneInput is exported as well because libFuzzer's own main references it.
//
// Normal build: `olaf-fuzz HARNESS FILE...` replays files through a harness (no libFuzzer), and
// `olaf-fuzz --write-seeds DIR` writes the seed inputs.
import Foundation
import OlafFuzzHarnesses

#if OLAF_FUZZ
    import CLibFuzzer

    /// The harness named by OLAF_FUZZ_TARGET, read once.
    let selectedHarness: FuzzHarness = {
        let name = ProcessInfo.processInfo.environment["OLAF_FUZZ_TARGET"] ?? ""
        guard let harness = FuzzHarness(rawValue: name) else {
            let names = FuzzHarness.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("olaf-fuzz: set OLAF_FUZZ_TARGET=\(names)\n".utf8))
            exit(2)
        }
        return harness
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
        do {
            try selectedHarness.run(input)
        } catch {
            fatalError("olaf-fuzz \(error.harness.rawValue): invariant failed: \(error.description)")
        }
        return 0
    }

    _ = selectedHarness
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOneInput($0, $1) })
#else
    let arguments = Array(CommandLine.arguments.dropFirst())
    let usage = """
        usage: olaf-fuzz --write-seeds DIR
               olaf-fuzz HARNESS FILE...   (HARNESS: \(FuzzHarness.allCases.map(\.rawValue).joined(separator: "|")))
        The fuzzing build is made by scripts/fuzz build.

        """
    if arguments.count == 2, arguments[0] == "--write-seeds" {
        do {
            try SeedCorpus.write(to: URL(fileURLWithPath: arguments[1], isDirectory: true))
        } catch {
            FileHandle.standardError.write(Data("olaf-fuzz: cannot write seeds: \(error)\n".utf8))
            exit(1)
        }
    } else if arguments.count >= 2, let harness = FuzzHarness(rawValue: arguments[0]) {
        var failed = false
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("olaf-fuzz: cannot read \(path)\n".utf8))
                exit(1)
            }
            do {
                try harness.run(Array(data))
                print("ok \(path)")
            } catch {
                print("FINDING \(path): \(error.description)")
                failed = true
            }
        }
        exit(failed ? 1 : 0)
    } else {
        FileHandle.standardError.write(Data(usage.utf8))
        exit(2)
    }
#endif
