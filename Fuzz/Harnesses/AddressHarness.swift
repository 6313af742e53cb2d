import Core

/// `ServerAddress(parsing:)`. Invariants: the canonical form and the WebSocket URL re-parse to an equal address
/// with the same canonical text (and the URL keeps `usesTLS`).
enum AddressHarness {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let address = try? ServerAddress(parsing: String(decoding: input, as: UTF8.self)) else { return }
        guard let canonical = try? ServerAddress(parsing: address.canonical), canonical == address,
            canonical.canonical == address.canonical
        else { throw FuzzFinding(.address, "canonical form \(address.canonical) does not re-parse to itself") }
        guard let url = try? ServerAddress(parsing: address.webSocketURL), url == address,
            url.usesTLS == address.usesTLS
        else { throw FuzzFinding(.address, "\(address.webSocketURL) does not re-parse to the same address") }
    }
}
