/// Turns swift-log metadata keys into valid journald field names.
///
/// journald accepts names of at most 64 characters from `[A-Z0-9_]` that do not start with a digit, and reserves
/// names starting with `_` for fields it sets itself. Every metadata field is therefore `OLAF_` + the key with ASCII
/// letters upper-cased and every other character replaced by `_`, cut to 64 characters: the prefix rules out a
/// leading digit or underscore. Distinct keys can map to the same name (`a.b`, `a_b`); see ``JournaldFields``.
enum JournaldFieldName {
    /// The prefix of every metadata field.
    static let metadataPrefix = "OLAF_"

    /// journald's limit on a field name's length.
    static let maximumLength = 64

    /// The journald field name for metadata `key`, e.g. `hb.request.id` → `OLAF_HB_REQUEST_ID`.
    static func forMetadataKey(_ key: String) -> String {
        var name = metadataPrefix
        for scalar in key.unicodeScalars {
            guard name.utf8.count < maximumLength else { break }
            switch scalar {
            case "A"..."Z", "0"..."9", "_": name.unicodeScalars.append(scalar)
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(UInt8(scalar.value - 32)))
            default: name.append("_")
            }
        }
        return name
    }
}
