import Foundation

/// Recognises a message that is a single http(s) URL (how files travel: the link to the upload, inside the
/// encrypted chat) and derives a display name from its last path segment. Anything else is plain text.
public enum FileLinkDetector {
    /// Longest URL treated as a link.
    public static let maxURLLength = 2048

    public static func link(in text: String) -> FileLink? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count <= maxURLLength, !trimmed.contains(where: { $0.isWhitespace }),
            let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { return nil }
        let last = components.path.split(separator: "/").last.map(String.init)
        let name = last.flatMap { $0.removingPercentEncoding } ?? host
        return FileLink(url: trimmed, name: String(name.prefix(255)), size: nil)
    }
}
