public import Core
import Foundation
public import Logging

/// Everything olafd needs to run. Defaults work with no configuration at all: loopback, port 8080, state in
/// `./olafd-state`.
public struct ServerConfiguration: Sendable {
    /// Host to listen on (an IP address or name); port 0 lets the OS pick.
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 8080
    /// The `host:port` neighbours know us by: sent in `server_hello`, matched in `destination_servers`, and
    /// listed for our clients. Defaults to the listen address.
    public var publicAddress: ServerAddress? = nil
    /// Base of the file URLs we hand out (`<base>/api/files/<id>/<name>`). Defaults to `http://<public address>`.
    public var publicBaseURL: String? = nil
    public var stateDirectory: String = "olafd-state"
    /// JSON array of `{"address": "host:port", "public_key": "<PEM>"}` merged into the stored neighbours at start.
    public var neighboursFile: String? = nil
    /// File holding the keystore passphrase (after the systemd credential, before the development fallback).
    public var passphraseFile: String? = nil
    public var limits = ServerLimits()
    public var maxUploadBytes: Int64 = 100 << 20
    public var maxStorageBytes: Int64 = 10 << 30
    /// How long uploaded files are kept; nil keeps them until removed.
    public var fileRetention: Duration? = .seconds(7 * 24 * 3600)
    public var logLevel: Logger.Level = .info
    /// PEM certificate chain and private key: when both are set the listener speaks TLS (`wss://`, `https://`).
    public var tlsCertificatePath: String? = nil
    /// The control API's Unix socket; defaults to `control.sock` in the state directory
    /// (the packaged unit uses `/run/olafd/control.sock`).
    public var controlSocketPath: String? = nil
    public var tlsKeyPath: String? = nil
    /// Where the opt-in Prometheus listener serves `GET /metrics` over plain HTTP (`metrics_listen`, e.g.
    /// `127.0.0.1:9464`); nil (the default) serves metrics only on the control socket.
    public var metricsListen: MetricsListen? = nil
    /// How often accepted counters are written to the database.
    public var counterFlushInterval: Duration = .milliseconds(100)

    public init() {}

    /// `publicAddress`, or the listen address when none was configured.
    public func resolvedPublicAddress() throws(AddressError) -> ServerAddress {
        if let publicAddress { return publicAddress }
        return try ServerAddress(host: listenHost, port: UInt16(clamping: max(1, listenPort)))
    }

    /// `publicBaseURL` without a trailing slash, or `http://<public address>`.
    public func resolvedPublicBaseURL() throws(AddressError) -> String {
        if var base = publicBaseURL {
            while base.hasSuffix("/") { base.removeLast() }
            return base
        }
        return try resolvedPublicAddress().httpBase
    }

    /// `controlSocketPath`, or `control.sock` in the state directory.
    public var resolvedControlSocketPath: String { controlSocketPath ?? statePath("control.sock") }

    /// Path of a file inside the state directory.
    public func statePath(_ name: String) -> String { (stateDirectory as NSString).appendingPathComponent(name) }
}
