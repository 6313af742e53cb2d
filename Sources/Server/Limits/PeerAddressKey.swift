#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
public import NIOCore

/// What a per-address limit counts against: an IPv4 address, or the /64 prefix of an IPv6 address (one host
/// usually holds a whole /64, so counting single IPv6 addresses would be no limit at all). IPv4-mapped IPv6
/// addresses count as their IPv4 address. Unix-socket and unknown peers share one key.
public enum PeerAddressKey: Hashable, Sendable, CustomStringConvertible {
    case ipv4(UInt32)
    case ipv6Prefix(UInt64)
    case other

    public init(_ address: SocketAddress?) {
        guard let address, var text = address.ipAddress else {
            self = .other
            return
        }
        if let scope = text.firstIndex(of: "%") { text = String(text[..<scope]) }
        let family = address.protocol == .inet ? AF_INET : address.protocol == .inet6 ? AF_INET6 : -1
        var bytes = [UInt8](repeating: 0, count: 16)
        guard family != -1, inet_pton(family, text, &bytes) == 1 else {
            self = .other
            return
        }
        if family == AF_INET {
            self = .ipv4(bytes[0..<4].reduce(0) { $0 << 8 | UInt32($1) })
        } else if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            self = .ipv4(bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) })
        } else {
            self = .ipv6Prefix(bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let value):
            return (0..<4).map { String((value >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
        case .ipv6Prefix(let value):
            let groups = (0..<4).map { String((value >> (48 - 16 * $0)) & 0xFFFF, radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        case .other:
            return "local"
        }
    }
}
