import Core
import Foundation
import Logging

/// The configuration file (`/etc/olafd/olafd.toml` when installed; `--config FILE` otherwise). Every key is
/// also a flag and an environment variable; flags win over the environment, which wins over the file. Unknown
/// keys are errors, so a misspelt setting is reported instead of ignored. `packaging/olafd.toml` documents
/// every key.
public enum ConfigFile {
    /// Why the file could not be applied.
    public struct LoadError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "configuration file \(path): \(reason)" }
    }

    /// Every key the file may contain.
    public static let knownKeys: Set<String> = [
        "listen", "public_address", "public_url", "state_dir", "neighbours_file", "passphrase_file", "log_level",
        "control_socket", "metrics_listen",
        "tls.certificate_file", "tls.key_file",
        "files.max_upload_bytes", "files.max_storage_bytes", "files.retention_days",
        "limits.max_frame_bytes", "limits.max_message_bytes", "limits.max_recipients", "limits.max_clients",
        "limits.messages_per_second", "limits.message_burst", "limits.list_answers_per_second",
        "limits.outbox_capacity",
        "limits.neighbour_outbox_capacity", "limits.outbox_bytes", "limits.neighbour_outbox_bytes",
        "limits.hello_timeout_seconds",
        "limits.max_connections_per_ip", "limits.hellos_per_minute_per_ip", "limits.hello_burst_per_ip",
        "limits.bytes_per_second", "limits.byte_burst", "limits.neighbour_frames_per_second",
        "limits.neighbour_frame_burst", "limits.neighbour_flood_close_seconds", "limits.uploads_per_minute_per_ip",
        "limits.upload_burst_per_ip", "limits.max_uploads_in_progress_per_ip", "limits.http_idle_timeout_seconds",
        "limits.max_tracked_ips", "limits.max_json_depth",
        "limits.max_json_string_bytes", "limits.max_clients_per_server",
    ]

    /// The environment variable for `key`: `OLAFD_` + the key upper-cased with dots as underscores
    /// (`limits.max_clients` → `OLAFD_LIMITS_MAX_CLIENTS`).
    public static func environmentVariable(for key: String) -> String {
        "OLAFD_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// A value given on the command line or in the environment: TOML syntax when it parses as such (`8080`,
    /// `true`, `"text"`), otherwise the raw text as a string (`127.0.0.1:8080`).
    public static func value(fromText text: String) -> TOMLSubset.Value {
        if let parsed = try? TOMLSubset.parse("v = \(text)")["v"] { return parsed }
        return .string(text)
    }

    /// Reads `path` and applies its settings on top of `configuration`.
    public static func apply(path: String, to configuration: inout ServerConfiguration) throws(LoadError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadError(path: path, reason: error.localizedDescription)
        }
        do {
            try apply(TOMLSubset.parse(text), to: &configuration)
        } catch let error as LoadError {
            throw LoadError(path: path, reason: error.reason)
        } catch {
            throw LoadError(path: path, reason: "\(error)")
        }
    }

    /// Applies parsed settings.
    public static func apply(_ values: [String: TOMLSubset.Value], to configuration: inout ServerConfiguration)
        throws(LoadError)
    {
        for key in values.keys.sorted() where !knownKeys.contains(key) {
            throw LoadError(path: "", reason: "unknown key \"\(key)\" (known keys: see packaging/olafd.toml)")
        }
        let reader = Reader(values: values)
        if let listen = try reader.string("listen") {
            do {
                (configuration.listenHost, configuration.listenPort) = try ListenAddress.parse(listen)
            } catch {
                throw LoadError(path: "", reason: "\(error)")
            }
        }
        if let metrics = try reader.string("metrics_listen") {
            do {
                // An empty value turns the listener off (so the environment or a flag can undo the file).
                configuration.metricsListen = metrics.isEmpty ? nil : try MetricsListen(parsing: metrics)
            } catch {
                throw LoadError(path: "", reason: "metrics_listen: \(error)")
            }
        }
        if let address = try reader.string("public_address") {
            do {
                configuration.publicAddress = try ServerAddress(parsing: address)
            } catch {
                throw LoadError(path: "", reason: "public_address: \(error)")
            }
        }
        if let url = try reader.string("public_url") { configuration.publicBaseURL = url }
        if let directory = try reader.string("state_dir") { configuration.stateDirectory = directory }
        if let file = try reader.string("neighbours_file") { configuration.neighboursFile = file }
        if let file = try reader.string("passphrase_file") { configuration.passphraseFile = file }
        if let path = try reader.string("control_socket") { configuration.controlSocketPath = path }
        if let file = try reader.string("tls.certificate_file") { configuration.tlsCertificatePath = file }
        if let file = try reader.string("tls.key_file") { configuration.tlsKeyPath = file }
        if let level = try reader.string("log_level") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw LoadError(
                    path: "",
                    reason: "log_level \"\(level)\": use trace, debug, info, notice, warning, error or critical")
            }
            configuration.logLevel = parsed
        }
        if let bytes = try reader.positive("files.max_upload_bytes") { configuration.maxUploadBytes = bytes }
        if let bytes = try reader.positive("files.max_storage_bytes") { configuration.maxStorageBytes = bytes }
        if let days = try reader.integer("files.retention_days") {
            guard days >= 0 else { throw LoadError(path: "", reason: "files.retention_days must be 0 (keep) or more") }
            configuration.fileRetention = days == 0 ? nil : .seconds(days * 24 * 3600)
        }
        var limits = configuration.limits
        if let value = try reader.positive("limits.max_frame_bytes") {
            limits.protocolLimits.maxFrameBytes = Int(value)
        }
        if let value = try reader.positive("limits.max_message_bytes") {
            limits.protocolLimits.maxMessageBytes = Int(value)
        }
        if let value = try reader.positive("limits.max_recipients") { limits.protocolLimits.maxRecipients = Int(value) }
        if let value = try reader.positive("limits.max_clients") { limits.maxClients = Int(value) }
        if let value = try reader.number("limits.messages_per_second") { limits.messagesPerSecondPerClient = value }
        if let value = try reader.number("limits.message_burst") { limits.messageBurstPerClient = value }
        if let value = try reader.number("limits.list_answers_per_second") {
            guard value > 0 else {
                throw LoadError(path: "", reason: "limits.list_answers_per_second must be more than 0")
            }
            limits.listAnswersPerSecond = value
        }
        // Frame counts no longer bound a peer's queue (its bytes do, and its socket's writability): the keys of
        // older configuration files are still read and checked, and have no effect.
        _ = try reader.positive("limits.outbox_capacity")
        _ = try reader.positive("limits.neighbour_outbox_capacity")
        if let value = try reader.positive("limits.outbox_bytes") { limits.outboxBytes = Int(value) }
        if let value = try reader.positive("limits.neighbour_outbox_bytes") { limits.neighbourOutboxBytes = Int(value) }
        if let value = try reader.number("limits.hello_timeout_seconds") {
            limits.helloTimeout = .milliseconds(Int64(value * 1000))
        }
        try applyAbuseLimits(reader, to: &limits)
        configuration.limits = limits
    }

    /// The `[limits]` keys of the abuse limits (issue 7) and the JSON caps.
    private static func applyAbuseLimits(_ reader: Reader, to limits: inout ServerLimits) throws(LoadError) {
        if let value = try reader.integer("limits.max_connections_per_ip") {
            guard value >= 0 else {
                throw LoadError(path: "", reason: "limits.max_connections_per_ip must be 0 (no limit) or more")
            }
            limits.abuse.maxConnectionsPerAddress = Int(value)
        }
        if let value = try reader.number("limits.hellos_per_minute_per_ip") {
            limits.abuse.hellosPerMinutePerAddress = value
        }
        if let value = try reader.number("limits.hello_burst_per_ip") { limits.abuse.helloBurstPerAddress = value }
        if let value = try reader.number("limits.bytes_per_second") { limits.abuse.bytesPerSecondPerClient = value }
        if let value = try reader.number("limits.byte_burst") { limits.abuse.byteBurstPerClient = value }
        if let value = try reader.number("limits.neighbour_frames_per_second") {
            limits.abuse.neighbourFramesPerSecond = value
        }
        if let value = try reader.number("limits.neighbour_frame_burst") { limits.abuse.neighbourFrameBurst = value }
        if let value = try reader.number("limits.neighbour_flood_close_seconds") {
            limits.abuse.neighbourFloodCloseAfter = .milliseconds(Int64(value * 1000))
        }
        if let value = try reader.number("limits.uploads_per_minute_per_ip") {
            limits.abuse.uploadsPerMinutePerAddress = value
        }
        if let value = try reader.number("limits.upload_burst_per_ip") { limits.abuse.uploadBurstPerAddress = value }
        if let value = try reader.positive("limits.max_uploads_in_progress_per_ip") {
            limits.abuse.maxUploadsInProgressPerAddress = Int(value)
        }
        if let value = try reader.number("limits.http_idle_timeout_seconds") {
            guard value > 0 else { throw LoadError(path: "", reason: "limits.http_idle_timeout_seconds must be more than 0") }
            limits.httpIdleTimeout = .milliseconds(Int64(value * 1000))
        }
        if let value = try reader.positive("limits.max_tracked_ips") { limits.abuse.maxTrackedAddresses = Int(value) }
        if let value = try reader.integer("limits.max_json_depth") {
            guard (4...256).contains(value) else {
                throw LoadError(path: "", reason: "limits.max_json_depth must be between 4 and 256")
            }
            limits.protocolLimits.maxJSONDepth = Int(value)
        }
        if let value = try reader.positive("limits.max_json_string_bytes") {
            limits.protocolLimits.maxJSONStringBytes = Int(value)
        }
        if let value = try reader.positive("limits.max_clients_per_server") {
            limits.protocolLimits.maxClientsPerServer = Int(value)
        }
    }

    /// Typed access with errors naming the key.
    private struct Reader {
        let values: [String: TOMLSubset.Value]

        func string(_ key: String) throws(LoadError) -> String? {
            guard let value = values[key] else { return nil }
            guard case .string(let text) = value else {
                throw LoadError(path: "", reason: "\(key) must be a \"string\"")
            }
            return text
        }

        func integer(_ key: String) throws(LoadError) -> Int64? {
            guard let value = values[key] else { return nil }
            guard case .integer(let number) = value else {
                throw LoadError(path: "", reason: "\(key) must be an integer")
            }
            return number
        }

        func positive(_ key: String) throws(LoadError) -> Int64? {
            guard let number = try integer(key) else { return nil }
            guard number > 0 else { throw LoadError(path: "", reason: "\(key) must be greater than 0") }
            return number
        }

        func number(_ key: String) throws(LoadError) -> Double? {
            switch values[key] {
            case nil: return nil
            case .integer(let number)?: guard number > 0 else { break }; return Double(number)
            case .float(let number)?: guard number > 0 else { break }; return number
            default: break
            }
            throw LoadError(path: "", reason: "\(key) must be a number greater than 0")
        }
    }
}
