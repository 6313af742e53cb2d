#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore
import NIOPosix

/// IP addresses as raw bytes (4 for IPv4, 16 for IPv6; IPv4-mapped IPv6 as its IPv4 address), for asking
/// whether a connection comes from where a neighbour lives.
enum HostAddresses {
    /// The peer's address, or nil for Unix sockets and unknown peers.
    static func bytes(of peer: SocketAddress?) -> [UInt8]? {
        guard let peer, var text = peer.ipAddress else { return nil }
        if let scope = text.firstIndex(of: "%") { text = String(text[..<scope]) }
        return parse(text)
    }

    /// Every address `host` (a name or an IP literal) resolves to. Names go through the system resolver on
    /// NIO's blocking-I/O thread pool (this runs only when a neighbour's counter goes backwards, never per
    /// frame); an unresolvable name has no addresses.
    static func resolve(_ host: String) async -> [[UInt8]] {
        if let literal = parse(host) { return [literal] }
        return (try? await NIOThreadPool.singleton.runIfActive { lookUp(host) }) ?? []
    }

    private static func parse(_ text: String) -> [UInt8]? {
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF { return Array(v6[12..<16]) }
        return v6
    }

    private static func lookUp(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var result: [[UInt8]] = []
        var entry = list
        while let current = entry {
            // The numeric text of each address, parsed like a literal (IPv4-mapped IPv6 becomes IPv4): no
            // reading of sockaddr fields, whose C struct several imported modules declare.
            if let address = current.pointee.ai_addr {
                var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    address, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0,
                    let bytes = parse(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                {
                    result.append(bytes)
                }
            }
            entry = current.pointee.ai_next
        }
        return result
    }
}
