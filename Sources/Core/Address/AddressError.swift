/// Why a server address was refused. Every description tells the operator what to write instead.
///
/// Payloads carry the offending part exactly as it was written (after trimming surrounding whitespace),
/// so error messages can quote it.
public enum AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing but whitespace was given.
    case empty
    /// The text is longer than `limit` UTF-8 bytes.
    case tooLong(limit: Int)
    /// A scheme other than `ws`, `wss`, `http` or `https` (as written, e.g. `"ftp"`).
    case unsupportedScheme(String)
    /// The host part is not a hostname, a dotted-quad IPv4 address or an IPv6 address.
    case invalidHost(String)
    /// The port is not 1 to 5 decimal digits with a value from 1 to 65535 (or is empty after `:`).
    case invalidPort(String)
    /// `user@host` or `user:password@host` was written; credentials have no place in an address.
    case userInfoNotAllowed

    /// Shown in every message so the operator sees the accepted forms.
    static let accepted =
        "write host[:port], e.g. \"chat.example.org\", \"10.0.0.27:8001\", \"[::1]:8080\" or \"wss://chat.example.org/\""

    public var description: String {
        switch self {
        case .empty:
            return "empty server address: \(Self.accepted)"
        case .tooLong(let limit):
            return "server address longer than \(limit) bytes: \(Self.accepted)"
        case .unsupportedScheme(let scheme):
            return
                "unsupported scheme \(String(reflecting: scheme)): use ws://, wss://, http://, https:// or no scheme (host:port)"
        case .invalidHost(let host):
            return
                "invalid host \(String(reflecting: host)): use a hostname (letters, digits, '-' and '_' in dot-separated labels), "
                + "an IPv4 address such as 10.0.0.27, or an IPv6 address in brackets such as [::1]:8080 (no spaces, no zone id)"
        case .invalidPort(let port):
            return "invalid port \(String(reflecting: port)): use a number from 1 to 65535"
        case .userInfoNotAllowed:
            return "user names are not allowed in a server address: remove the \"user@\" part and \(Self.accepted)"
        }
    }
}
