import Core
import OlafCrypto
import Server

/// The control API request parsers. The first byte picks the parser (modulo 3): the `POST /v1/neighbours` body,
/// the `:address` path parameter, or the `:id` path parameter of `DELETE /v1/files/:id`.
///
/// Invariants: an accepted neighbour address re-parses from its canonical form to an equal address; an accepted
/// file id is exactly 32 lowercase hex digits.
enum ControlHarness {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let selector = input.first else { return }
        let rest = Array(input.dropFirst())
        switch selector % 3 {
        case 0:
            if let parsed = try? ControlRequests.neighbourAdd(body: rest) {
                try checkCanonical(parsed.address)
                _ = parsed.publicKey.fingerprint
            }
        case 1:
            if let address = ControlRequests.neighbourAddress(pathParameter: String(decoding: rest, as: UTF8.self)) {
                try checkCanonical(address)
            }
        default:
            if let id = ControlRequests.fileID(pathParameter: String(decoding: rest, as: UTF8.self)) {
                let valid =
                    id.utf8.count == 32
                    && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
                guard valid else { throw FuzzFinding(.control, "accepted file id \(id.debugDescription)") }
            }
        }
    }

    private static func checkCanonical(_ address: ServerAddress) throws(FuzzFinding) {
        guard let again = try? ServerAddress(parsing: address.canonical), again == address,
            again.canonical == address.canonical
        else { throw FuzzFinding(.control, "canonical address \(address.canonical) does not re-parse to itself") }
    }
}
