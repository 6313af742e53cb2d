package import Core
import Foundation
package import OlafCrypto

/// The pure parsing steps of control API requests (bodies and path parameters), kept apart from the routes so
/// they can be tested and fuzzed without a server.
package enum ControlRequests {
    /// The largest request body the control API reads.
    package static let maxBodyBytes = 64 << 10

    /// Why a `POST /v1/neighbours` body was refused; `description` is the message sent back with 400.
    package enum NeighbourAddError: Error, Equatable, CustomStringConvertible {
        /// Not a JSON object with string `address` and `public_key` members.
        case notNeighbourObject
        case badAddress(AddressError)
        case badPublicKey(String)
        case badCAFile(String)

        package var description: String {
            switch self {
            case .notNeighbourObject: "send {\"address\": \"host:port\", \"public_key\": \"<PEM>\"}"
            case .badAddress(let error): "bad address: \(error)"
            case .badPublicKey(let reason): "bad public key: \(reason)"
            case .badCAFile(let path): "ca_file must be an absolute path, not \(path)"
            }
        }
    }

    /// A parsed `POST /v1/neighbours` body.
    package struct NeighbourAdd: Sendable {
        package let address: ServerAddress
        package let publicKey: RSAPublicKey
        /// Where to dial, when not the address itself.
        package let url: ServerAddress?
        /// CA that must have issued a `wss://` neighbour's certificate.
        package let caFile: String?
    }

    /// Parses `{"address": "host:port", "public_key": "<PEM>"}` with optional `"url"` and `"ca_file"` (an
    /// absolute path); other members are ignored.
    package static func neighbourAdd(body: [UInt8]) throws(NeighbourAddError) -> NeighbourAdd {
        guard body.count <= maxBodyBytes, case .object(let object)? = try? JSONParser.parse(body),
            let addressText = object["address"]?.stringValue, let pem = object["public_key"]?.stringValue
        else { throw .notNeighbourObject }
        let address: ServerAddress
        let url: ServerAddress?
        do {
            address = try ServerAddress(parsing: addressText)
            url = try object["url"]?.stringValue.map { text throws(AddressError) in try ServerAddress(parsing: text) }
        } catch {
            throw .badAddress(error)
        }
        let caFile = object["ca_file"]?.stringValue
        if let caFile, !caFile.hasPrefix("/") { throw .badCAFile(caFile) }
        do {
            return NeighbourAdd(address: address, publicKey: try RSAPublicKey(pem: pem), url: url, caFile: caFile)
        } catch {
            throw .badPublicKey("\(error)")
        }
    }

    /// The neighbour address in a `/v1/neighbours/:address` path (percent-encoded or not), or nil when invalid.
    package static func neighbourAddress(pathParameter raw: String) -> ServerAddress? {
        try? ServerAddress(parsing: raw.removingPercentEncoding ?? raw)
    }

    /// The file id in a `/v1/files/:id` path when it has the only valid form (32 lowercase hex digits).
    package static func fileID(pathParameter raw: String) -> String? {
        FileID.isValid(raw) ? raw : nil
    }
}
