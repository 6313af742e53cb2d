import Core
import Testing

/// One accepted spelling and everything it must canonicalise to.
struct Parsed: Sendable, CustomTestStringConvertible {
    let input: String
    let host: String
    let port: UInt16
    let tls: Bool
    let canonical: String
    var testDescription: String { String(reflecting: input) }

    init(_ input: String, _ host: String, _ port: UInt16, tls: Bool = false, _ canonical: String) {
        self.input = input
        self.host = host
        self.port = port
        self.tls = tls
        self.canonical = canonical
    }
}

/// One refused spelling and the exact error it must produce.
struct Refused: Sendable, CustomTestStringConvertible {
    let input: String
    let error: AddressError
    var testDescription: String { String(reflecting: input) }

    init(_ input: String, _ error: AddressError) {
        self.input = input
        self.error = error
    }
}

@Suite("ServerAddress")
struct ServerAddressTests {
    // MARK: accepted forms

    static let protocolExamples: [Parsed] = [
        Parsed("10.0.0.27:8001", "10.0.0.27", 8001, "10.0.0.27:8001"),
        Parsed("chat.example.org", "chat.example.org", 80, "chat.example.org:80"),
        Parsed("localhost:666", "localhost", 666, "localhost:666"),
        Parsed("ws://localhost:666", "localhost", 666, "localhost:666"),
        Parsed("wss://chat.example.org:8443/", "chat.example.org", 8443, tls: true, "chat.example.org:8443"),
        Parsed("wss://chat.example.org/", "chat.example.org", 443, tls: true, "chat.example.org:443"),
        Parsed("wss://chat.example.org", "chat.example.org", 443, tls: true, "chat.example.org:443"),
        Parsed("ws://chat.example.org", "chat.example.org", 80, "chat.example.org:80"),
    ]

    static let otherForms: [Parsed] = [
        // http(s) and scheme case
        Parsed("http://10.0.0.27:8001", "10.0.0.27", 8001, "10.0.0.27:8001"),
        Parsed("https://files.example.org", "files.example.org", 443, tls: true, "files.example.org:443"),
        Parsed("https://files.example.org:80", "files.example.org", 80, tls: true, "files.example.org:80"),
        Parsed("WSS://Chat.Example.ORG", "chat.example.org", 443, tls: true, "chat.example.org:443"),
        Parsed("Ws://LOCALHOST:1", "localhost", 1, "localhost:1"),
        Parsed("HTTP://host:65535", "host", 65535, "host:65535"),
        // paths, queries and fragments after the authority are ignored
        Parsed("ws://host:4001/ws", "host", 4001, "host:4001"),
        Parsed("wss://host/client?token=abc#top", "host", 443, tls: true, "host:443"),
        Parsed("ws://host:4001?x=1", "host", 4001, "host:4001"),
        Parsed("ws://host#frag", "host", 80, "host:80"),
        Parsed("host:4001/server", "host", 4001, "host:4001"),
        Parsed("ws://host:4001/a@b:c", "host", 4001, "host:4001"),
        // hostname details
        Parsed("  chat.example.org:8001 \n", "chat.example.org", 8001, "chat.example.org:8001"),
        Parsed("\tws://host/\r\n", "host", 80, "host:80"),
        Parsed("example.org.", "example.org", 80, "example.org:80"),
        Parsed("Example.ORG.:81", "example.org", 81, "example.org:81"),
        Parsed("test_server_1:4001", "test_server_1", 4001, "test_server_1:4001"),
        Parsed("my-server.local", "my-server.local", 80, "my-server.local:80"),
        Parsed("a1.b2.c3", "a1.b2.c3", 80, "a1.b2.c3:80"),
        Parsed("123.example.org", "123.example.org", 80, "123.example.org:80"),
        Parsed("host:08080", "host", 8080, "host:8080"),
        Parsed("host:00001", "host", 1, "host:1"),
        // IPv4
        Parsed("127.0.0.1", "127.0.0.1", 80, "127.0.0.1:80"),
        Parsed("wss://255.255.255.255/", "255.255.255.255", 443, tls: true, "255.255.255.255:443"),
        Parsed("0.0.0.0:9", "0.0.0.0", 9, "0.0.0.0:9"),
        Parsed("10.0.0.1.:5", "10.0.0.1", 5, "10.0.0.1:5"),
        // IPv6
        Parsed("[::1]:8080", "::1", 8080, "[::1]:8080"),
        Parsed("[::1]", "::1", 80, "[::1]:80"),
        Parsed("ws://[::1]:8080/", "::1", 8080, "[::1]:8080"),
        Parsed("wss://[::1]/", "::1", 443, tls: true, "[::1]:443"),
        Parsed("::1", "::1", 80, "[::1]:80"),
        Parsed("[0:0:0:0:0:0:0:1]:80", "::1", 80, "[::1]:80"),
        Parsed("0:0:0:0:0:0:0:1", "::1", 80, "[::1]:80"),
        Parsed("[2001:DB8:0:0:1:0:0:1]:4001", "2001:db8::1:0:0:1", 4001, "[2001:db8::1:0:0:1]:4001"),
        Parsed("2001:db8::1", "2001:db8::1", 80, "[2001:db8::1]:80"),
        Parsed("[::ffff:a00:1]:7", "::ffff:10.0.0.1", 7, "[::ffff:10.0.0.1]:7"),
        Parsed("[::]:1", "::", 1, "[::]:1"),
        Parsed("http://[fe80::1]:8000/upload", "fe80::1", 8000, "[fe80::1]:8000"),
    ]

    @Test("protocol.md examples", arguments: protocolExamples)
    func protocolExample(_ c: Parsed) throws {
        try expectParsed(c)
    }

    @Test("other accepted forms", arguments: otherForms)
    func acceptedForm(_ c: Parsed) throws {
        try expectParsed(c)
    }

    private func expectParsed(_ c: Parsed) throws {
        let a = try ServerAddress(parsing: c.input)
        #expect(a.host == c.host)
        #expect(a.port == c.port)
        #expect(a.usesTLS == c.tls)
        #expect(a.canonical == c.canonical)
        #expect(a.description == c.canonical)
        #expect("\(a)" == c.canonical)
        // The canonical form parses back to the same address.
        #expect(try ServerAddress(parsing: a.canonical) == a)
    }

    // MARK: output forms

    @Test func webSocketURLAndHTTPBase() throws {
        let plain = try ServerAddress(parsing: "10.0.0.27:8001")
        #expect(plain.webSocketURL == "ws://10.0.0.27:8001/")
        #expect(plain.httpBase == "http://10.0.0.27:8001")

        let tls = try ServerAddress(parsing: "wss://Chat.Example.org/ws")
        #expect(tls.webSocketURL == "wss://chat.example.org:443/")
        #expect(tls.httpBase == "https://chat.example.org:443")

        let v6 = try ServerAddress(parsing: "ws://[::1]:8080/")
        #expect(v6.webSocketURL == "ws://[::1]:8080/")
        #expect(v6.httpBase == "http://[::1]:8080")

        let v6tls = try ServerAddress(parsing: "https://[2001:db8::2]")
        #expect(v6tls.webSocketURL == "wss://[2001:db8::2]:443/")
        #expect(v6tls.httpBase == "https://[2001:db8::2]:443")

        let bare = try ServerAddress(parsing: "localhost")
        #expect(bare.webSocketURL == "ws://localhost:80/")
        #expect(bare.httpBase == "http://localhost:80")
    }

    // MARK: equality

    @Test func equalityUsesCanonicalHostAndPort() throws {
        let a = try ServerAddress(parsing: "ws://Example.org:80/")
        let b = try ServerAddress(parsing: "example.org")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.canonical == "example.org:80")

        // TLS is not part of equality: addresses compare in host:port form.
        let tls = try ServerAddress(parsing: "wss://example.org:80")
        #expect(tls.usesTLS)
        #expect(tls == b)
        #expect(tls.hashValue == b.hashValue)

        #expect(try ServerAddress(parsing: "[0:0::1]:8080") == ServerAddress(parsing: "ws://[::1]:8080/ws"))
        #expect(try ServerAddress(parsing: "::1") == ServerAddress(parsing: "[::1]:80"))
        #expect(try ServerAddress(parsing: "example.org.") == ServerAddress(parsing: "EXAMPLE.ORG:80"))
        #expect(try ServerAddress(parsing: "https://example.org") == ServerAddress(parsing: "example.org:443"))

        #expect(try ServerAddress(parsing: "example.org:81") != ServerAddress(parsing: "example.org"))
        #expect(try ServerAddress(parsing: "wss://example.org") != ServerAddress(parsing: "ws://example.org"))
        #expect(try ServerAddress(parsing: "example.org") != ServerAddress(parsing: "example.com"))
        #expect(try ServerAddress(parsing: "127.0.0.1") != ServerAddress(parsing: "localhost"))

        let set: Set<ServerAddress> = try [
            ServerAddress(parsing: "ws://Example.org:80/"), ServerAddress(parsing: "example.org"),
            ServerAddress(parsing: "EXAMPLE.org.:80"), ServerAddress(parsing: "example.org:8080"),
        ]
        #expect(set.count == 2)
    }

    // MARK: init(host:port:usesTLS:)

    @Test func memberwiseInitCanonicalises() throws {
        let a = try ServerAddress(host: "Chat.Example.ORG.", port: 8001)
        #expect(a.host == "chat.example.org")
        #expect(a.port == 8001)
        #expect(!a.usesTLS)
        #expect(a.canonical == "chat.example.org:8001")
        #expect(a == (try ServerAddress(parsing: "chat.example.org:8001")))

        let v6 = try ServerAddress(host: "[0:0:0:0:0:0:0:1]", port: 8080, usesTLS: true)
        #expect(v6.host == "::1")
        #expect(v6.canonical == "[::1]:8080")
        #expect(v6.webSocketURL == "wss://[::1]:8080/")
        #expect(v6.httpBase == "https://[::1]:8080")

        let bareV6 = try ServerAddress(host: "2001:DB8::1", port: 1)
        #expect(bareV6.canonical == "[2001:db8::1]:1")

        let v4 = try ServerAddress(host: "10.0.0.27", port: 65535)
        #expect(v4.canonical == "10.0.0.27:65535")
    }

    static let memberwiseRefused: [(String, UInt16, AddressError)] = [
        ("example.org", 0, .invalidPort("0")),
        ("", 80, .invalidHost("")),
        ("a b", 80, .invalidHost("a b")),
        (" example.org", 80, .invalidHost(" example.org")),
        ("example.org:80", 80, .invalidHost("example.org:80")),
        ("256.1.1.1", 80, .invalidHost("256.1.1.1")),
        ("[example.org]", 80, .invalidHost("[example.org]")),
        ("[10.0.0.1]", 80, .invalidHost("[10.0.0.1]")),
        ("fe80::1%eth0", 80, .invalidHost("fe80::1%eth0")),
        ("[]", 80, .invalidHost("[]")),
        ("user@host", 80, .invalidHost("user@host")),
    ]

    @Test(arguments: memberwiseRefused)
    func memberwiseInitRefuses(_ host: String, _ port: UInt16, _ error: AddressError) {
        #expect(throws: error) { try ServerAddress(host: host, port: port) }
    }

    // MARK: refused forms

    static let refused: [Refused] = [
        // empty
        Refused("", .empty),
        Refused("   \t\n", .empty),
        // scheme
        Refused("ftp://example.org", .unsupportedScheme("ftp")),
        Refused("FTP://example.org/", .unsupportedScheme("FTP")),
        Refused("://example.org", .unsupportedScheme("")),
        Refused("wss+tls://host", .unsupportedScheme("wss+tls")),
        Refused("localhost://x", .unsupportedScheme("localhost")),
        // user info
        Refused("user@host", .userInfoNotAllowed),
        Refused("ws://user:secret@host:80/", .userInfoNotAllowed),
        Refused("@host:80", .userInfoNotAllowed),
        Refused("[::1]@x", .userInfoNotAllowed),
        // port
        Refused("host:", .invalidPort("")),
        Refused("host:0", .invalidPort("0")),
        Refused("host:00000", .invalidPort("00000")),
        Refused("host:65536", .invalidPort("65536")),
        Refused("host:99999", .invalidPort("99999")),
        Refused("host:080800", .invalidPort("080800")),
        Refused("host:8o", .invalidPort("8o")),
        Refused("host:+80", .invalidPort("+80")),
        Refused("host:-1", .invalidPort("-1")),
        Refused("host: 80", .invalidPort(" 80")),
        Refused("host:８０", .invalidPort("８０")),
        Refused("ws://host:/", .invalidPort("")),
        Refused("[::1]:", .invalidPort("")),
        Refused("[::1]:70000", .invalidPort("70000")),
        Refused("ws://[::1]:http/", .invalidPort("http")),
        // hostnames
        Refused("ws://", .invalidHost("")),
        Refused("wss:///path", .invalidHost("")),
        Refused("/path", .invalidHost("")),
        Refused(":80", .invalidHost("")),
        Refused(".", .invalidHost(".")),
        Refused("a..b", .invalidHost("a..b")),
        Refused(".example.org", .invalidHost(".example.org")),
        Refused("example.org..", .invalidHost("example.org..")),
        Refused("exa mple.org", .invalidHost("exa mple.org")),
        Refused("host :80", .invalidHost("host ")),
        Refused("ex!ample.org", .invalidHost("ex!ample.org")),
        Refused("exa\u{7}mple", .invalidHost("exa\u{7}mple")),
        Refused("exa\u{0}mple", .invalidHost("exa\u{0}mple")),
        Refused("exämple.org", .invalidHost("exämple.org")),
        Refused("ws://host/a b", .invalidHost("ws://host/a b")),
        Refused("ws://host/\u{0}", .invalidHost("ws://host/\u{0}")),
        Refused(String(repeating: "a", count: 64) + ".org", .invalidHost(String(repeating: "a", count: 64) + ".org")),
        Refused(longName(254), .invalidHost(longName(254))),
        // numeric names that are not valid dotted-quad IPv4
        Refused("256.1.1.1", .invalidHost("256.1.1.1")),
        Refused("1.2.3", .invalidHost("1.2.3")),
        Refused("1.2.3.4.5", .invalidHost("1.2.3.4.5")),
        Refused("010.0.0.1", .invalidHost("010.0.0.1")),
        Refused("1234", .invalidHost("1234")),
        Refused("example.123:80", .invalidHost("example.123")),
        Refused("0x7f.1", .invalidHost("0x7f.1")),
        Refused("0X7F000001:80", .invalidHost("0X7F000001")),
        // IPv6
        Refused("[::1%eth0]:80", .invalidHost("[::1%eth0]")),
        Refused("fe80::1%eth0", .invalidHost("fe80::1%eth0")),
        Refused("ws://[fe80::1%25eth0]/", .invalidHost("[fe80::1%25eth0]")),
        Refused("[::1", .invalidHost("[::1")),
        Refused("[::1]x", .invalidHost("[::1]x")),
        Refused("[::1]]", .invalidHost("[::1]]")),
        Refused("[]", .invalidHost("[]")),
        Refused("[]:80", .invalidHost("[]")),
        Refused("[10.0.0.1]:80", .invalidHost("[10.0.0.1]")),
        Refused("[example.org]", .invalidHost("[example.org]")),
        Refused("[1::2::3]", .invalidHost("[1::2::3]")),
        Refused("[::1\u{0}]", .invalidHost("[::1\u{0}]")),
        Refused("1::2::3", .invalidHost("1::2::3")),
        Refused("host:80:90", .invalidHost("host:80:90")),
        Refused("ws://::1/", .invalidHost("::1")),
        Refused("wss://fe80::1:8080", .invalidHost("fe80::1:8080")),
    ]

    static func longName(_ length: Int) -> String {
        // 63-character labels joined by dots, cut to `length` (no trailing dot).
        let label = String(repeating: "b", count: 63)
        var name = [label, label, label, label, label].joined(separator: ".")
        name.removeLast(name.count - length)
        return name
    }

    @Test(arguments: refused)
    func refusedForm(_ c: Refused) {
        #expect(throws: c.error) { try ServerAddress(parsing: c.input) }
    }

    @Test func lengthLimits() throws {
        // Longest hostname (253) and longest label (63) are accepted; one trailing dot is extra.
        let name253 = Self.longName(253)
        #expect(try ServerAddress(parsing: name253).host == name253)
        #expect(try ServerAddress(parsing: name253 + ".:1").canonical == name253 + ":1")
        let label63 = String(repeating: "c", count: 63)
        #expect(try ServerAddress(parsing: label63 + ".org").host == label63 + ".org")

        // maxLength counts the trimmed text in UTF-8 bytes.
        let exactly300 = "wss://" + name253 + ":8080/" + String(repeating: "p", count: 300 - 6 - 253 - 6)
        #expect(exactly300.utf8.count == 300)
        #expect(try ServerAddress(parsing: "  " + exactly300 + "  ").canonical == name253 + ":8080")
        #expect(throws: AddressError.tooLong(limit: 300)) { try ServerAddress(parsing: exactly300 + "p") }
        #expect(throws: AddressError.tooLong(limit: 300)) {
            try ServerAddress(parsing: String(repeating: "a", count: 100_000))
        }
        #expect(throws: AddressError.tooLong(limit: 10)) { try ServerAddress(parsing: "example.org", maxLength: 10) }
        #expect(try ServerAddress(parsing: "example.or", maxLength: 10).canonical == "example.or:80")
    }

    // MARK: error descriptions

    @Test func errorDescriptionsSayWhatToWrite() {
        let forms =
            "write host[:port], e.g. \"chat.example.org\", \"10.0.0.27:8001\", \"[::1]:8080\" or \"wss://chat.example.org/\""
        #expect(AddressError.empty.description == "empty server address: " + forms)
        #expect(AddressError.tooLong(limit: 300).description == "server address longer than 300 bytes: " + forms)
        #expect(
            AddressError.unsupportedScheme("ftp").description
                == "unsupported scheme \"ftp\": use ws://, wss://, http://, https:// or no scheme (host:port)")
        #expect(
            AddressError.invalidHost("ex!ample").description
                == "invalid host \"ex!ample\": use a hostname (letters, digits, '-' and '_' in dot-separated labels), "
                + "an IPv4 address such as 10.0.0.27, or an IPv6 address in brackets such as [::1]:8080 "
                + "(no spaces, no zone id)")
        #expect(
            AddressError.invalidPort("99999").description == "invalid port \"99999\": use a number from 1 to 65535")
        #expect(
            AddressError.userInfoNotAllowed.description
                == "user names are not allowed in a server address: remove the \"user@\" part and " + forms)
        // Control characters are escaped when quoted.
        #expect(AddressError.invalidHost("a\u{7}b").description.hasPrefix("invalid host \"a\\u{07}b\": "))
    }

    @Test func thrownErrorDescribesTheOffendingPart() {
        do throws(AddressError) {
            _ = try ServerAddress(parsing: "ws://example.org:99999/")
            Issue.record("expected an error")
        } catch {
            #expect(error == .invalidPort("99999"))
            #expect(error.description == "invalid port \"99999\": use a number from 1 to 65535")
        }
    }

    @Test("the spelling is kept as written (without scheme or path) and never part of equality (rule 12)")
    func spellingIsKept() throws {
        let cases: [(String, String)] = [
            ("localhost", "localhost"), ("ws://LocalHost:8080/chat", "LocalHost:8080"), (" peer-b ", "peer-b"),
            ("wss://[0:0:0:0:0:0:0:1]:443/", "[0:0:0:0:0:0:0:1]:443"), ("10.0.0.27:8001", "10.0.0.27:8001"),
        ]
        for (text, spelling) in cases {
            #expect(try ServerAddress(parsing: text).spelling == spelling, "\(text)")
        }
        #expect(try ServerAddress(parsing: "localhost") == ServerAddress(parsing: "LOCALHOST:80"))
        #expect(try ServerAddress(host: "::1", port: 80).spelling == "[::1]:80")
        #expect(try ServerHelloData(sender: ServerAddress(parsing: "localhost")).sender == "localhost")
    }
}
