import Foundation
import OlafCrypto

/// The per-run secret that every UI request must carry (256 random bits, base64url). Never logged.
public struct AccessToken: Sendable, CustomStringConvertible {
    public let value: String

    /// A fresh random token.
    public static func random() throws -> AccessToken {
        let encoded = Base64.encode(try SecureRandom.bytes(32))
        let urlSafe = encoded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return AccessToken(value: urlSafe)
    }

    public init(value: String) { self.value = value }

    /// The subprotocol the UI's `/api/events` WebSocket speaks (the upgrade answers with it).
    public static let eventsSubprotocol = "olaf-ui"
    /// The prefix of the `Sec-WebSocket-Protocol` entry that carries the token on the `/api/events` upgrade
    /// (browsers cannot set an `Authorization` header on a WebSocket).
    public static let subprotocolPrefix = "olaf-token."

    /// Constant-time comparison with a presented token.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let expected = Array(value.utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    /// Redacted, so a stray interpolation never prints the secret.
    public var description: String { "AccessToken(redacted)" }
}
