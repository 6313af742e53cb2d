import ArgumentParser
import Core
import Foundation
import Logging
import Server

/// The options shared by `olafd` and `olafd key show`. Precedence: flags, then environment variables
/// (`OLAFD_<KEY>`, e.g. `OLAFD_LISTEN`, `OLAFD_LIMITS_MAX_CLIENTS`), then the configuration file, then defaults.
struct ServerOptions: ParsableArguments {
    @Option(help: "Configuration file (env OLAFD_CONFIG); see packaging/olafd.toml for every key.")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (key listen; default 127.0.0.1:8080).")
    var listen: String?

    @Option(
        name: .customLong("public-address"),
        help: "HOST:PORT neighbours know this server by (key public_address; default: the listen address).")
    var publicAddress: String?

    @Option(
        name: .customLong("public-url"),
        help: "Base URL of file links, e.g. https://chat.example.org (key public_url; default http://PUBLIC_ADDRESS).")
    var publicURL: String?

    @Option(name: .customLong("state-dir"), help: "State directory (key state_dir; default ./olafd-state).")
    var stateDir: String?

    @Option(
        name: .customLong("neighbours-file"),
        help: "JSON array of {\"address\", \"public_key\"} merged into the stored neighbours (key neighbours_file).")
    var neighboursFile: String?

    @Option(name: .customLong("passphrase-file"), help: "File holding the keystore passphrase (key passphrase_file).")
    var passphraseFile: String?

    @Option(name: .customLong("max-upload-bytes"), help: "Largest accepted upload (key files.max_upload_bytes).")
    var maxUploadBytes: String?

    @Option(
        name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (key log_level).")
    var logLevel: String?

    @Option(
        name: .customLong("tls-cert"),
        help: "PEM certificate chain; with --tls-key the listener speaks TLS (key tls.certificate_file).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of the TLS certificate (key tls.key_file).")
    var tlsKey: String?

    @Option(
        name: .customLong("metrics-listen"),
        help: "Serve Prometheus GET /metrics on HOST:PORT, e.g. 127.0.0.1:9464 (key metrics_listen; default off).")
    var metricsListen: String?

    @Option(
        name: .customLong("set"),
        help: "Any configuration key, as KEY=VALUE (repeatable), e.g. --set limits.max_clients=5000.")
    var settings: [String] = []

    /// The configuration the file, the environment and these flags describe.
    func configuration(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        do {
            if let path = config ?? environment["OLAFD_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
                try ConfigFile.apply(path: path, to: &configuration)
            }
            var fromEnvironment: [String: TOMLSubset.Value] = [:]
            for key in ConfigFile.knownKeys {
                if let text = environment[ConfigFile.environmentVariable(for: key)], !text.isEmpty {
                    fromEnvironment[key] = ConfigFile.value(fromText: text)
                }
            }
            try ConfigFile.apply(fromEnvironment, to: &configuration)
            try ConfigFile.apply(flagValues(), to: &configuration)
        } catch let error as ConfigFile.LoadError {
            throw ValidationError(error.path.isEmpty ? error.reason : error.description)
        }
        if configuration.publicAddress == nil, configuration.listenPort == 0 {
            throw ValidationError("listening on port 0 needs --public-address (neighbours must know our port)")
        }
        return configuration
    }

    /// The flags given, as configuration keys and values.
    private func flagValues() throws -> [String: TOMLSubset.Value] {
        var values: [String: TOMLSubset.Value] = [:]
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw ValidationError("--set \(setting): write KEY=VALUE, e.g. --set limits.max_clients=5000")
            }
            values[String(setting[..<equals])] = ConfigFile.value(
                fromText: String(setting[setting.index(after: equals)...]))
        }
        let named: [(String?, String)] = [
            (listen, "listen"), (publicAddress, "public_address"), (publicURL, "public_url"), (stateDir, "state_dir"),
            (neighboursFile, "neighbours_file"), (passphraseFile, "passphrase_file"), (logLevel, "log_level"),
            (tlsCertificate, "tls.certificate_file"), (tlsKey, "tls.key_file"), (metricsListen, "metrics_listen"),
        ]
        for case (let text?, let key) in named { values[key] = .string(text) }
        if let maxUploadBytes { values["files.max_upload_bytes"] = ConfigFile.value(fromText: maxUploadBytes) }
        return values
    }
}
