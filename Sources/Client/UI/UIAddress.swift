#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the UI listens: `HOST:PORT` (port 0 picks a free one). Loopback only (127.0.0.0/8, ::1, localhost)
/// unless remote binding is explicitly forced.
public struct UIAddress: Sendable, Equatable, CustomStringConvertible {
    /// The IP literal bound (`localhost` becomes 127.0.0.1).
    public let host: String
    public let port: Int

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case notLoopback(String)

        public var description: String {
            switch self {
            case .malformed(let text):
                "UI address \"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:8765, or 127.0.0.1:0 for a free port)"
            case .notLoopback(let host):
                "refusing to serve the UI on \(host), which is not a loopback address: anyone on the network could reach it. Use 127.0.0.1, or pass --allow-remote-ui if you really mean it"
            }
        }
    }

    public init(parsing text: String, allowRemote: Bool = false) throws(ParseError) {
        var hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .malformed(text) }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .malformed(text) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = Int(portPart), (0...65535).contains(port), !hostPart.isEmpty else { throw .malformed(text) }
        if hostPart.lowercased() == "localhost" { hostPart = "127.0.0.1" }
        let host = String(hostPart)
        guard Self.isIPLiteral(host) else { throw .malformed(text) }
        guard allowRemote || Self.isLoopback(host) else { throw .notLoopback(host) }
        self.host = host
        self.port = port
    }

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` as it appears in a URL and a Host header (IPv6 bracketed).
    public func authority(port: Int) -> String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    public var description: String { authority(port: port) }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }
}
