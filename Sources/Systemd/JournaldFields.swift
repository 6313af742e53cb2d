public import Logging

/// The journald fields of one log event: a pure mapping, testable without a journal.
///
/// Fields, in order: `MESSAGE`, `PRIORITY` (syslog number), `SYSLOG_IDENTIFIER`, `CODE_FILE`, `CODE_LINE`
/// (decimal), `CODE_FUNC`, `OLAF_LABEL` (the logger label), `OLAF_SOURCE` (the swift-log source module), then one
/// `OLAF_*` field per metadata key (see ``fieldName(forMetadataKey:)``), sorted by field name, each value rendered
/// with its `description`. Values may contain line breaks; `sd_journal_sendv` carries them intact.
///
/// Metadata is written verbatim: there is no redaction, so callers must never put secrets (passphrases, private
/// keys, tokens, message plaintext) in log metadata or messages.
///
/// A metadata key whose field name is `OLAF_LABEL` or `OLAF_SOURCE` is dropped so that those fields stay
/// trustworthy. When several keys map to the same field name (`a.b` and `a_b`), the key that sorts last wins, so the
/// outcome is deterministic.
public enum JournaldFields {
    /// Field names the handler sets itself; metadata cannot replace them.
    static let reservedMetadataNames: Set<String> = ["OLAF_LABEL", "OLAF_SOURCE"]

    /// The syslog priority journald expects in `PRIORITY`: trace and debug → 7, info → 6, notice → 5,
    /// warning → 4, error → 3, critical → 2.
    public static func priority(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The journald field name for metadata `key`: `OLAF_` + the key upper-cased, characters outside `[A-Z0-9_]`
    /// replaced by `_`, at most 64 characters (`hb.request.id` → `OLAF_HB_REQUEST_ID`).
    public static func fieldName(forMetadataKey key: String) -> String {
        JournaldFieldName.forMetadataKey(key)
    }

    /// Merges metadata layers in swift-log's order — handler, then provider, then per-message — later wins.
    public static func merge(
        handler: Logger.Metadata, provider: Logger.Metadata?, message: Logger.Metadata?
    ) -> Logger.Metadata {
        var merged = handler
        if let provider { merged.merge(provider) { _, later in later } }
        if let message { merged.merge(message) { _, later in later } }
        return merged
    }

    /// The `(name, value)` fields of one entry; `metadata` is the already merged metadata.
    public static func make(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata, source: String,
        file: String, function: String, line: UInt, label: String, identifier: String
    ) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("MESSAGE", message.description),
            ("PRIORITY", String(priority(for: level))),
            ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
            ("OLAF_LABEL", label),
            ("OLAF_SOURCE", source),
        ]
        var metadataFields: [String: String] = [:]
        for key in metadata.keys.sorted() {
            let name = fieldName(forMetadataKey: key)
            guard !reservedMetadataNames.contains(name), let value = metadata[key] else { continue }
            metadataFields[name] = value.description
        }
        fields += metadataFields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return fields
    }
}
