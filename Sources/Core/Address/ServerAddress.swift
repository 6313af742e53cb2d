#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A neighbourhood server's address, compared in canonical `host:port` form.
///
/// Accepted spellings (protocol.md, "Transport"): `host`, `host:port`, `ws://host[:port][/path]`,
/// `wss://host[:port][/path]`, `http://` and `https://` likewise, bracketed IPv6 (`[::1]:8080`, `[::1]`,
/// `ws://[::1]:8080/`) and, without a scheme only, a bare IPv6 literal such as `::1` (never with a port,
/// since it has several colons). The default port is 80, or 443 for `wss`/`https`.
///
/// Canonicalisation: hostnames are lowercased and lose one trailing dot; IPv4 and IPv6 addresses go
/// through `inet_pton`/`inet_ntop` (so `[0:0:0:0:0:0:0:1]:80` becomes `[::1]:80`). Equality and hashing
/// use `host` and `port` only; `usesTLS` is remembered for dialling but does not make two addresses differ.
///
/// Parsing does no I/O: no DNS, no sockets.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// Lowercased hostname, or canonical IP text (IPv6 without brackets, e.g. `"::1"`).
    public let host: String
    public let port: UInt16
    /// True when written `wss://` or `https://` (or passed so to `init(host:port:usesTLS:)`).
    public let usesTLS: Bool
    /// The address as its owner spelled it, without scheme or path: `localhost`, `Chat.Example.org:8001`,
    /// `[::1]:80` (the canonical form when built from parts). Other implementations compare addresses as plain
    /// strings, so a server's address is emitted in this spelling, never rewritten (interop rule 12). Not part
    /// of equality.
    public let spelling: String

    /// Parses `host`, `host:port`, `ws://host[:port][/path]`, `wss://host[:port][/path]`, `http://`/`https://`
    /// likewise, IPv6 as `[::1]:8080`, `[::1]`, `ws://[::1]:8080/`, and a bare IPv6 literal such as `::1`
    /// (no port, since it has several colons). Default port 80, or 443 for wss/https. Anything from the
    /// first `/`, `?` or `#` after the authority is ignored. Surrounding whitespace is trimmed.
    ///
    /// - Parameter maxLength: limit in UTF-8 bytes of the trimmed text.
    public init(parsing text: String, maxLength: Int = 300) throws(AddressError) {
        let trimmed = Self.trimmingWhitespace(text)
        if trimmed.isEmpty { throw .empty }
        if trimmed.utf8.count > maxLength { throw .tooLong(limit: maxLength) }
        let bytes = Array(trimmed.utf8)

        // Scheme: everything before the first ':' when that ':' is followed by "//".
        var authorityStart = 0
        var tls = false
        var hasScheme = false
        if let colon = bytes.firstIndex(of: ASCII.colon), bytes.count >= colon + 3,
            bytes[colon + 1] == ASCII.slash, bytes[colon + 2] == ASCII.slash
        {
            switch Self.asciiLowercased(bytes[..<colon]) {
            case "ws", "http": tls = false
            case "wss", "https": tls = true
            default: throw .unsupportedScheme(Self.string(bytes[..<colon]))
            }
            hasScheme = true
            authorityStart = colon + 3
        }

        // Authority ends at the first '/', '?' or '#'; the rest (path, query, fragment) is ignored,
        // but it may still not contain spaces or control characters.
        let authorityEnd =
            bytes[authorityStart...].firstIndex { $0 == ASCII.slash || $0 == ASCII.question || $0 == ASCII.hash }
            ?? bytes.endIndex
        let ignored = Self.string(bytes[authorityEnd...])
        if ignored.unicodeScalars.contains(where: Self.isSpaceOrControl) { throw .invalidHost(trimmed) }
        let authority = bytes[authorityStart..<authorityEnd]
        if authority.contains(ASCII.at) { throw .userInfoNotAllowed }
        self.spelling = Self.string(authority)

        let defaultPort: UInt16 = tls ? 443 : 80
        let hostText: String
        var port = defaultPort
        if authority.first == ASCII.openBracket {
            // [IPv6] or [IPv6]:port
            guard let close = authority.firstIndex(of: ASCII.closeBracket) else {
                throw .invalidHost(Self.string(authority))
            }
            let inner = Self.string(authority[(authority.startIndex + 1)..<close])
            let after = authority[(close + 1)...]
            if let first = after.first {
                guard first == ASCII.colon else { throw .invalidHost(Self.string(authority)) }
                port = try Self.parsePort(after.dropFirst())
            }
            self.host = try Self.canonicalIPv6(inner, shown: "[" + inner + "]")
            self.port = port
            self.usesTLS = tls
            return
        }
        let colons = authority.filter { $0 == ASCII.colon }.count
        if colons >= 2 {
            // A bare IPv6 literal: only without a scheme (URLs must bracket it), and never with a port.
            guard !hasScheme else { throw .invalidHost(Self.string(authority)) }
            self.host = try Self.canonicalIPv6(Self.string(authority), shown: Self.string(authority))
            self.port = defaultPort
            self.usesTLS = tls
            return
        }
        if colons == 1, let colon = authority.firstIndex(of: ASCII.colon) {
            hostText = Self.string(authority[..<colon])
            port = try Self.parsePort(authority[(colon + 1)...])
        } else {
            hostText = Self.string(authority)
        }
        self.host = try Self.canonicalName(hostText)
        self.port = port
        self.usesTLS = tls
    }

    /// Validates and canonicalises `host` exactly as `init(parsing:)` does for the host part. `host` may be
    /// a hostname, an IPv4 address, or an IPv6 address with or without brackets; it is not trimmed.
    public init(host: String, port: UInt16, usesTLS: Bool = false) throws(AddressError) {
        if host.hasPrefix("["), host.hasSuffix("]"), host.utf8.count >= 2 {
            let inner = String(decoding: host.utf8.dropFirst().dropLast(), as: UTF8.self)
            self.host = try Self.canonicalIPv6(inner, shown: host)
        } else if host.utf8.contains(ASCII.colon) {
            self.host = try Self.canonicalIPv6(host, shown: host)
        } else {
            self.host = try Self.canonicalName(host)
        }
        guard port != 0 else { throw .invalidPort("0") }
        self.port = port
        self.usesTLS = usesTLS
        self.spelling = host.utf8.contains(ASCII.colon) && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `host:port`, with IPv6 hosts in brackets: "[::1]:8080", "example.org:80", "10.0.0.27:8001".
    public var canonical: String {
        host.utf8.contains(ASCII.colon) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String { canonical }

    /// The WebSocket URL to dial: "ws://host:port/" or "wss://host:port/" (IPv6 bracketed).
    public var webSocketURL: String { (usesTLS ? "wss://" : "ws://") + canonical + "/" }

    /// "http(s)://host:port" (no trailing slash) for building file URLs.
    public var httpBase: String { (usesTLS ? "https://" : "http://") + canonical }

    public static func == (lhs: ServerAddress, rhs: ServerAddress) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
    }
}

// MARK: - Validation helpers

extension ServerAddress {
    fileprivate enum ASCII {
        static let colon = UInt8(ascii: ":")
        static let slash = UInt8(ascii: "/")
        static let question = UInt8(ascii: "?")
        static let hash = UInt8(ascii: "#")
        static let at = UInt8(ascii: "@")
        static let dot = UInt8(ascii: ".")
        static let openBracket = UInt8(ascii: "[")
        static let closeBracket = UInt8(ascii: "]")
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
    }

    private static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Lowercases A-Z only (Unicode case mapping could turn other characters into ASCII letters).
    private static func asciiLowercased<C: Collection<UInt8>>(_ bytes: C) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// 1 to 5 decimal digits, value 1...65535.
    private static func parsePort(_ bytes: ArraySlice<UInt8>) throws(AddressError) -> UInt16 {
        guard (1...5).contains(bytes.count), bytes.allSatisfy(isDigit) else { throw .invalidPort(string(bytes)) }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (1...65535).contains(value) else { throw .invalidPort(string(bytes)) }
        return UInt16(value)
    }

    /// A hostname or a dotted-quad IPv4 address (not IPv6: callers route anything with ':' elsewhere).
    ///
    /// A name whose last label looks numeric (all digits, or `0x` hex) must be a valid dotted quad: resolvers
    /// would read `0x7f.1` or `1.2.3` as IPv4 (as the WHATWG URL host parser does), so such names are refused
    /// rather than compared as names.
    private static func canonicalName(_ text: String) throws(AddressError) -> String {
        var name = Array(text.utf8)
        if name.last == ASCII.dot { name.removeLast() }
        guard !name.isEmpty, name.count <= 253 else { throw .invalidHost(text) }
        let labels = name.split(separator: ASCII.dot, omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.count),
                label.allSatisfy({ isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
            else { throw .invalidHost(text) }
        }
        let last = labels[labels.count - 1]
        let looksHex = asciiLowercased(last.prefix(2)) == "0x" && last.dropFirst(2).allSatisfy(isHexDigit)
        if last.allSatisfy(isDigit) || looksHex {
            return try canonicalIPv4(string(name[...]), shown: text)
        }
        return asciiLowercased(name)
    }

    private static func canonicalIPv4(_ text: String, shown: String) throws(AddressError) -> String {
        // Checked before inet_pton: C strings stop at NUL, so the character set is enforced here.
        guard text.utf8.allSatisfy({ isDigit($0) || $0 == ASCII.dot }) else { throw .invalidHost(shown) }
        var address = in_addr()
        let parsed = text.withCString { inet_pton(AF_INET, $0, &address) }
        guard parsed == 1, let canonical = ntop(AF_INET, &address) else { throw .invalidHost(shown) }
        return canonical
    }

    /// IPv6 text without brackets; zone ids (`%eth0`) are refused.
    private static func canonicalIPv6(_ text: String, shown: String) throws(AddressError) -> String {
        guard !text.isEmpty, text.utf8.allSatisfy({ isHexDigit($0) || $0 == ASCII.colon || $0 == ASCII.dot }) else {
            throw .invalidHost(shown)
        }
        var address = in6_addr()
        let parsed = text.withCString { inet_pton(AF_INET6, $0, &address) }
        guard parsed == 1, let canonical = ntop(AF_INET6, &address) else { throw .invalidHost(shown) }
        return canonical
    }

    private static func ntop(_ family: Int32, _ address: UnsafeRawPointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        guard inet_ntop(family, address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
