import Core
import Foundation
import OlafCrypto

/// Fixtures and helpers shared by the Core tests.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The independent Python implementation's vectors, parsed with our own JSON parser.
    static func pythonVectors() throws -> JSONObject {
        let data = try Data(contentsOf: directory.appendingPathComponent("python-cryptography.json"))
        guard case .object(let object) = try JSONParser.parse(Array(data)) else { fatalError("vectors not an object") }
        return object
    }

    static func pythonKey() throws -> RSAPrivateKey {
        try RSAPrivateKey(pkcs8PEM: pythonVectors()["key"]?.objectValue?["private_pem_pkcs8"]?.stringValue ?? "")
    }
}

/// Keys generated once per test process (generation costs ~50-200 ms each).
enum TestKeys {
    static let alice = generate()
    static let bob = generate()
    static let carol = generate()

    private static func generate() -> RSAPrivateKey {
        do { return try RSAPrivateKey.generate() } catch { fatalError("key generation failed: \(error)") }
    }
}

/// Returns the ProtocolError thrown by `body`, or nil when it throws nothing (or something else).
func protocolError(_ body: () throws -> Void) -> ProtocolError? {
    do {
        try body()
        return nil
    } catch {
        return error as? ProtocolError
    }
}

/// A frame JSON object built by hand, for tests that corrupt fields.
func frameText(_ members: [(String, JSONValue)]) -> String {
    JSONWriter.compact(.object(JSONObject(members)))
}
