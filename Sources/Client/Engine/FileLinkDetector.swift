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
        return FileLink(url: trimmed, name: String(neutralised(name).prefix(255)), size: nil)
    }

    /// `text` with bidi overrides and isolates, other invisible format characters and control characters
    /// replaced by U+FFFD, so a name like "invoice\u{202E}fdp.exe" cannot pose as "invoiceexe.pdf".
    public static func neutralised(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { isHidden($0) ? "\u{FFFD}" : $0 }))
    }

    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF:
            true
        default: false
        }
    }
}
