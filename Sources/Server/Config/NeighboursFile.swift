import Core
import Foundation
import OlafCrypto

/// The neighbours file: a JSON array of `{"address": "host:port", "public_key": "<PEM>"}` (the key may also
/// be under `verifyKey`, the reference implementation's name). Optional per entry: `URL` (or `url`), where to
/// dial when the address is only the neighbour's name (the reference implementation's neighbourhood file), and
/// `ca_file`, the CA that must have issued a `wss://` neighbour's certificate. Every entry is validated: a bad
/// address, URL or key that is not RSA-2048/65537 refuses the whole file, so a typo never silently drops a
/// neighbour.
public enum NeighboursFile {
    /// Why the file was refused.
    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot read neighbours file \(path): \(reason)"
            case .invalid(let path, let reason): "neighbours file \(path) is invalid: \(reason)"
            }
        }
    }

    /// Reads and validates the file.
    public static func load(path: String) throws(LoadError) -> [Neighbour] {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        do {
            return try parse(bytes)
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
    }

    /// Parses the file's bytes.
    public static func parse(_ bytes: [UInt8]) throws -> [Neighbour] {
        let limits = JSONLimits(maxDepth: 4, maxStringBytes: 8192, maxContainerCount: 1000, maxTotalBytes: 4 << 20)
        guard case .array(let entries) = try JSONParser.parse(bytes, limits: limits) else {
            throw ProtocolError.wrongType(field: "neighbours file", expected: "a JSON array", actual: "something else")
        }
        var neighbours: [Neighbour] = []
        for (index, entry) in entries.enumerated() {
            guard case .object(let object) = entry else { throw ProtocolError.notAnObject(field: "entry \(index)") }
            guard let addressText = object["address"]?.stringValue else {
                throw ProtocolError.missingField("[\(index)].address")
            }
            guard let pem = (object["public_key"] ?? object["verifyKey"])?.stringValue else {
                throw ProtocolError.missingField("[\(index)].public_key")
            }
            let address = try ServerAddress(parsing: addressText)
            let url = try (object["URL"] ?? object["url"]).map { value in
                guard let text = value.stringValue else {
                    throw ProtocolError.wrongType(field: "[\(index)].URL", expected: "a string", actual: "something else")
                }
                return try ServerAddress(parsing: text)
            }
            let caFile = try object["ca_file"].map { value in
                guard let text = value.stringValue, text.hasPrefix("/") else {
                    throw ProtocolError.wrongType(
                        field: "[\(index)].ca_file", expected: "an absolute path", actual: "something else")
                }
                return text
            }
            neighbours.append(
                Neighbour(address: address, publicKey: try RSAPublicKey(pem: pem), url: url, caFile: caFile))
        }
        return neighbours
    }
}
