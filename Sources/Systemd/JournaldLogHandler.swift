import Glibc
public import Logging

/// A swift-log handler that writes structured entries to the systemd journal (see ``JournaldFields`` for the
/// fields and the no-secrets rule).
///
/// Use it when ``LogDestination/detect(environment:)`` says `.journald`. If journald refuses an entry, the message is
/// written to stderr as a plain line instead, and logging never traps. (libsystemd itself drops entries silently when
/// no journal socket exists at all, which is why the handler is only chosen when `JOURNAL_STREAM` says so.) A
/// `LogEvent.error` is recorded like swift-log's `StreamLogHandler` does, as `error.message` and `error.type`
/// metadata (`OLAF_ERROR_MESSAGE`, `OLAF_ERROR_TYPE`).
public struct JournaldLogHandler: LogHandler {
    /// The logger label, written as `OLAF_LABEL`.
    public let label: String

    /// The `SYSLOG_IDENTIFIER` of every entry (what `journalctl -t` matches).
    public let identifier: String

    /// Minimum level logged.
    public var logLevel: Logger.Level = .info

    /// Handler metadata, overridden by provider and per-message metadata.
    public var metadata: Logger.Metadata = [:]

    /// Contextual metadata, overriding handler metadata and overridden by per-message metadata.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for logger `label`.
    public init(
        label: String, identifier: String = "olafd",
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
    }

    /// Handler metadata for `metadataKey`.
    public subscript(metadataKey metadataKey: String) -> Logger.Metadata.Value? {
        get { metadata[metadataKey] }
        set { metadata[metadataKey] = newValue }
    }

    /// The journal fields `event` produces with this handler's label, identifier and metadata.
    public func fields(for event: LogEvent) -> [(String, String)] {
        var merged = JournaldFields.merge(
            handler: metadata, provider: metadataProvider?.get(), message: event.metadata)
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return JournaldFields.make(
            level: event.level, message: event.message, metadata: merged, source: event.source,
            file: event.file, function: event.function, line: event.line, label: label, identifier: identifier)
    }

    /// Sends `event` to the journal, falling back to a stderr line if journald refuses it.
    public func log(event: LogEvent) {
        guard JournalWriter.send(fields(for: event)) < 0 else { return }
        let line = "\(event.level) \(label): [\(event.source)] \(event.message)\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
