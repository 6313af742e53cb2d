import Core
import Foundation
import OlafCrypto
import OlafVectors
import OlafTestSupport
import Testing

/// Interop, direction 2: an independent checker (Python `cryptography`, Tests/Interop/check_vectors.py) reads
/// what our code writes. Needs python3 with the `cryptography` package (installed by .ci/run).
@Suite("Interop: our vectors checked by Python cryptography")
struct OwnVectorsInteropTests {
    static let checker = Fixtures.repositoryRoot.appendingPathComponent("Tests/Interop/check_vectors.py")

    /// Runs the checker on `document`; returns its exit status and output.
    /// Runs the checker on `document` (off the Swift concurrency pool); returns its exit status and output.
    private func check(_ document: JSONValue) async throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "olaf-vectors-\(UUID().uuidString).json")
        try Data(JSONWriter.python(document).utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.checker.path, file.path])
        return (result.status, result.output + result.error)
    }

    private func document() throws -> JSONValue {
        try VectorsWriter.document(key: TestKeys.alice, otherKey: TestKeys.bob)
    }

    @Test("Python verifies every signature, PEM, fingerprint and the chat we write")
    func pythonAcceptsOurVectors() async throws {
        let result = try await check(document())
        #expect(result.status == 0, "checker output:\n\(result.output)")
        #expect(result.output.contains(" passed, 0 failed"))
        #expect(!result.output.contains("FAIL"))
    }

    @Test("a flipped signature byte in our vectors makes the Python check fail")
    func pythonRejectsTamperedSignature() async throws {
        guard case .object(var root) = try document(),
            var messages = root["messages"]?.arrayValue,
            case .object(var entry) = messages[1],
            case .object(var frame) = entry["message"],
            var signature = Base64.decode(frame["signature"]?.stringValue ?? "")
        else { Issue.record("unexpected document shape"); return }
        signature[100] ^= 0x01
        frame["signature"] = .string(Base64.encode(signature))
        entry["message"] = .object(frame)
        messages[1] = .object(entry)
        root["messages"] = .array(messages)
        let result = try await check(.object(root))
        #expect(result.status != 0)
        #expect(result.output.contains("FAIL public_chat.signature"), "checker output:\n\(result.output)")
    }

    @Test("a flipped chat ciphertext byte in our vectors makes the Python check fail")
    func pythonRejectsTamperedChat() async throws {
        guard case .object(var root) = try document(),
            var messages = root["messages"]?.arrayValue,
            case .object(var entry) = messages[3],
            case .object(var frame) = entry["message"],
            case .signed(let envelope) = try OlafMessageDecoder.decode(JSONWriter.compact(.object(frame))),
            case .chat(let chat) = envelope.payload
        else { Issue.record("unexpected document shape"); return }
        var data = chat.wireObject
        var ciphertext = chat.ciphertext
        ciphertext[3] ^= 0x80
        data["chat"] = .string(Base64.encode(ciphertext))
        frame["data"] = .string(JSONWriter.python(.object(data)))
        entry["message"] = .object(frame)
        messages[3] = .object(entry)
        root["messages"] = .array(messages)
        let result = try await check(.object(root))
        #expect(result.status != 0)
        #expect(result.output.contains("FAIL chat.decrypt"), "checker output:\n\(result.output)")
    }
}
