import ArgumentParser
import Core
import Foundation
import Logging
import Server

/// The options shared by `olafd` and `olafd key show`. Each may also come from an environment variable
/// (`OLAFD_…`); a flag wins over the environment, which wins over the defaults.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on, HOST:PORT (env OLAFD_LISTEN; default 127.0.0.1:8080).")
    var listen: String?

    @Option(name: .customLong("public-address"),
            help: "HOST:PORT neighbours know this server by (env OLAFD_PUBLIC_ADDRESS; default: the listen address).")
    var publicAddress: String?

    @Option(name: .customLong("public-url"),
            help: "Base URL of file links, e.g. https://chat.example.org (env OLAFD_PUBLIC_URL; default http://PUBLIC_ADDRESS).")
    var publicURL: String?

    @Option(name: .customLong("state-dir"), help: "State directory (env OLAFD_STATE_DIR; default ./olafd-state).")
    var stateDir: String?

    @Option(name: .customLong("neighbours-file"),
            help: "JSON array of {\"address\", \"public_key\"} merged into the stored neighbours (env OLAFD_NEIGHBOURS_FILE).")
    var neighboursFile: String?

    @Option(name: .customLong("passphrase-file"),
            help: "File holding the keystore passphrase (env OLAFD_PASSPHRASE_FILE).")
    var passphraseFile: String?

    @Option(name: .customLong("max-upload-bytes"), help: "Largest accepted upload (env OLAFD_MAX_UPLOAD_BYTES; default 104857600).")
    var maxUploadBytes: Int64?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env OLAFD_LOG_LEVEL).")
    var logLevel: String?

    /// The configuration these options (and the environment) describe.
    func configuration(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        func value(_ flag: String?, _ variable: String) -> String? { flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 } }

        if let listen = value(listen, "OLAFD_LISTEN") {
            let (host, port) = try Self.hostAndPort(listen, option: "--listen")
            configuration.listenHost = host
            configuration.listenPort = port
        }
        if let address = value(publicAddress, "OLAFD_PUBLIC_ADDRESS") {
            do {
                configuration.publicAddress = try ServerAddress(parsing: address)
            } catch {
                throw ValidationError("--public-address \(address): \(error)")
            }
        }
        configuration.publicBaseURL = value(publicURL, "OLAFD_PUBLIC_URL")
        if let stateDir = value(stateDir, "OLAFD_STATE_DIR") { configuration.stateDirectory = stateDir }
        configuration.neighboursFile = value(neighboursFile, "OLAFD_NEIGHBOURS_FILE")
        configuration.passphraseFile = value(passphraseFile, "OLAFD_PASSPHRASE_FILE")
        if let bytes = maxUploadBytes ?? environment["OLAFD_MAX_UPLOAD_BYTES"].flatMap({ Int64($0) }) {
            guard bytes > 0 else { throw ValidationError("--max-upload-bytes must be positive") }
            configuration.maxUploadBytes = bytes
        }
        if let level = value(logLevel, "OLAFD_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ValidationError("--log-level \(level): use trace, debug, info, notice, warning, error or critical")
            }
            configuration.logLevel = parsed
        }
        if configuration.publicAddress == nil, configuration.listenPort == 0 {
            throw ValidationError("--listen with port 0 needs --public-address (neighbours must know our port)")
        }
        return configuration
    }

    /// Splits `HOST:PORT` (IPv6 as `[::1]:PORT`); port 0 lets the OS choose.
    static func hostAndPort(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { throw ValidationError("\(option) \(text): write HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("\(option) \(text): the host is missing") }
        return (host, port)
    }
}
