import ArgumentParser
import Core
import Foundation
import OlafCrypto
import OlafVectors

/// `olaf-vectors --out FILE`: writes interop test vectors from this implementation.
@main
struct OlafVectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olaf-vectors",
        abstract: "Write OLAF v1.2 cross-implementation test vectors (format olaf-v1.2-vectors/1) from our code.",
        discussion: "Check them with any implementation, e.g. python3 Tests/Interop/check_vectors.py FILE.")

    @Option(name: .long, help: "File to write; '-' for standard output.")
    var out: String = "-"

    @Option(name: .long, help: "First counter of the signed messages (the next three follow it).")
    var counter: UInt64 = 12345

    func run() throws {
        let document = try VectorsWriter.document(
            key: RSAPrivateKey.generate(), otherKey: RSAPrivateKey.generate(), firstCounter: counter)
        let text = JSONWriter.python(document) + "\n"
        if out == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
        }
    }
}
