import Foundation
import OlafCrypto

/// Test fixtures and helpers shared by the crypto tests.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The independent Python implementation's vectors (copied from shared/vectors into CoreTests/Fixtures).
    static func pythonVectors() throws -> [String: Any] {
        let url = directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CoreTests/Fixtures/python-cryptography.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return object as? [String: Any] ?? [:]
    }

    /// The private key of the Python vectors, so tests do not pay for key generation.
    static func pythonPrivateKey() throws -> RSAPrivateKey {
        let key = try pythonVectors()["key"] as? [String: Any]
        return try RSAPrivateKey(pkcs8PEM: key?["private_pem_pkcs8"] as? String ?? "")
    }
}

/// One generated key per test process (generation costs ~50-200 ms).
let sharedGeneratedKey: RSAPrivateKey = {
    do { return try RSAPrivateKey.generate() } catch { fatalError("key generation failed: \(error)") }
}()

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
