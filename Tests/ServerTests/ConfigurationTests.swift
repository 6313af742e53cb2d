import OlafTestSupport
import Core
import Foundation
import Logging
import OlafCrypto
import Server
import Testing

@Suite("Configuration: TOML subset, config file, neighbours file")
struct ConfigurationTests {
    @Test("the shipped packaging/olafd.toml parses and matches the built-in defaults")
    func shippedConfigMatchesDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("packaging/olafd.toml").path
        var configuration = ServerConfiguration()
        try ConfigFile.apply(path: path, to: &configuration)
        let defaults = ServerConfiguration()
        #expect(configuration.listenHost == defaults.listenHost && configuration.listenPort == defaults.listenPort)
        #expect(configuration.stateDirectory == defaults.stateDirectory)
        #expect(configuration.limits == defaults.limits)
        #expect(configuration.maxUploadBytes == defaults.maxUploadBytes)
        #expect(configuration.maxStorageBytes == defaults.maxStorageBytes)
        #expect(configuration.fileRetention == defaults.fileRetention)
        #expect(configuration.metricsListen == nil && defaults.metricsListen == nil)
    }

    @Test("the outbox byte bounds are read from [limits]")
    func outboxBytesFromConfig() throws {
        let path = NSTemporaryDirectory() + "olafd-outbox-\(UInt64.random(in: 0...UInt64.max)).toml"
        try "[limits]\noutbox_bytes = 1234567\nneighbour_outbox_bytes = 7654321\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ServerConfiguration()
        try ConfigFile.apply(path: path, to: &configuration)
        #expect(configuration.limits.outboxBytes == 1_234_567)
        #expect(configuration.limits.neighbourOutboxBytes == 7_654_321)
    }

    @Test("values, tables, comments and escapes")
    func tomlSubset() throws {
        let values = try TOMLSubset.parse(
            """
            # comment
            a = "x # not a comment" # a comment
            b = 'C:\\path'
            c = 1_000
            d = -2.5
            e = true
            [t]
            f = "tab\\tq\\"\\u00e9"
            """)
        #expect(
            values == [
                "a": .string("x # not a comment"), "b": .string("C:\\path"), "c": .integer(1000), "d": .float(-2.5),
                "e": .boolean(true), "t.f": .string("tab\tq\"\u{e9}"),
            ])
    }

    @Test(
        "syntax errors name their line",
        arguments: [
            ("a = \"open", 1), ("a = 1\nx", 2), ("a = 1\na = 2", 2), ("[t\n", 1), ("a = [1, 2]", 1), ("b c = 1", 1),
        ])
    func tomlErrors(text: String, line: Int) {
        do {
            _ = try TOMLSubset.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.line == line)
        }
    }

    @Test("the config file sets every kind of key; unknown keys and bad values are refused")
    func configFileKeys() throws {
        var configuration = ServerConfiguration()
        try ConfigFile.apply(
            [
                "listen": .string("[::1]:9000"), "public_address": .string("ws://chat.example.org:9000/"),
                "limits.max_clients": .integer(7), "limits.hello_timeout_seconds": .float(1.5),
                "files.retention_days": .integer(0), "log_level": .string("DEBUG"),
            ], to: &configuration)
        #expect(configuration.listenHost == "::1" && configuration.listenPort == 9000)
        #expect(configuration.publicAddress?.canonical == "chat.example.org:9000")
        #expect(configuration.limits.maxClients == 7)
        #expect(configuration.limits.helloTimeout == .milliseconds(1500))
        #expect(configuration.fileRetention == nil)
        #expect(configuration.logLevel == .debug)
        for bad: [String: TOMLSubset.Value] in [
            ["listne": .string("x")], ["listen": .string("nohost")], ["limits.max_clients": .integer(0)],
            ["limits.max_clients": .string("7")], ["log_level": .string("loud")],
            ["public_address": .string("ftp://x")],
        ] {
            var scratch = ServerConfiguration()
            #expect(throws: ConfigFile.LoadError.self) { try ConfigFile.apply(bad, to: &scratch) }
        }
    }

    @Test("command-line and environment values are read as TOML when they parse, else as text")
    func valueFromText() {
        #expect(ConfigFile.value(fromText: "8080") == .integer(8080))
        #expect(ConfigFile.value(fromText: "127.0.0.1:8080") == .string("127.0.0.1:8080"))
        #expect(ConfigFile.value(fromText: "true") == .boolean(true))
        #expect(ConfigFile.environmentVariable(for: "limits.max_clients") == "OLAFD_LIMITS_MAX_CLIENTS")
    }

    @Test("the neighbours file accepts public_key or verifyKey and refuses bad entries whole")
    func neighboursFile() throws {
        let key = try TestKeys.server().publicKey
        let pem = JSONWriter.compact(.string(key.wrappedPEM()))
        let good =
            "[{\"address\": \"ws://10.0.0.2:8001/\", \"public_key\": \(pem)}, {\"address\": \"peer:81\", \"verifyKey\": \(pem)}]"
        let neighbours = try NeighboursFile.parse(Array(good.utf8))
        #expect(neighbours.map(\.address.canonical) == ["10.0.0.2:8001", "peer:81"])
        #expect(neighbours.allSatisfy { $0.publicKey == key })
        for bad in [
            "{}", "[{\"address\": \"x:1\"}]", "[{\"address\": \"x y\", \"public_key\": \(pem)}]",
            "[{\"address\": \"x:1\", \"public_key\": \"nope\"}]",
        ] {
            #expect(throws: (any Error).self) { try NeighboursFile.parse(Array(bad.utf8)) }
        }
    }
}
