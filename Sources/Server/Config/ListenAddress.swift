/// Parses the `HOST:PORT` a server listens on (IPv6 as `[::1]:PORT`); port 0 lets the OS choose.
public enum ListenAddress {
    /// Why a listen address was refused.
    public struct Invalid: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "listen address \"\(text)\": write HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"
        }
    }

    public static func parse(_ text: String) throws(Invalid) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw Invalid(text: text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { throw Invalid(text: text) }
        return (host, port)
    }
}
