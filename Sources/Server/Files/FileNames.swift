/// File-name handling shared by the store and the routes: sanitising client-supplied names, and encoding them
/// for URLs and `Content-Disposition`.
enum FileNames {
    /// Longest sanitised name, in UTF-8 bytes.
    static let maxNameBytes = 200
    /// Name used when nothing usable is left.
    static let fallbackName = "file"

    /// See ``FileStore/sanitisedName(_:)``.
    static func sanitise(_ raw: String) -> String {
        // Last path component only, for both separators. Split on scalars, not characters, so a separator
        // followed by a combining mark still separates.
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if scalar == "/" || scalar == "\\" {
                scalars = String.UnicodeScalarView()
            } else if !isDropped(scalar) {
                scalars.append(scalar)
            }
        }
        var name = trimDotsAndSpaces(Substring(String(scalars)))
        if name.utf8.count > maxNameBytes {
            // Cut at a character boundary so no scalar or grapheme is split.
            var cut = ""
            var bytes = 0
            for character in name {
                let size = character.utf8.count
                guard bytes + size <= maxNameBytes else { break }
                cut.append(character)
                bytes += size
            }
            name = trimDotsAndSpaces(Substring(cut))
        }
        return name.isEmpty ? fallbackName : name
    }

    /// Control characters (C0, DEL, C1), bidirectional overrides/isolates (which can disguise an extension),
    /// quotes, and `;` (so the name can never break out of a header parameter).
    private static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x22, 0x27, 0x3B: true  // " ' ;
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func trimDotsAndSpaces(_ text: Substring) -> String {
        let isTrimmed: (Character) -> Bool = { $0 == "." || $0.isWhitespace }
        guard let first = text.firstIndex(where: { !isTrimmed($0) }),
            let last = text.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(text[first...last])
    }

    /// Percent-encodes every byte except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`). Safe as a URL
    /// path segment and as an RFC 8187 `filename*` value.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                output.append(byte)
            default:
                output.append(0x25)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`, where the ASCII fallback replaces
    /// everything outside printable ASCII, and `"`, `\`, `%`, `;`, with `_`.
    static func contentDisposition(for name: String) -> String {
        var ascii = ""
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x22, 0x5C, 0x25, 0x3B: ascii.append("_")
            case 0x20...0x7E: ascii.unicodeScalars.append(scalar)
            default: ascii.append("_")
            }
        }
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The declared content type if it is a plausible media type (printable ASCII, at most 200 bytes),
    /// else `application/octet-stream`. Only stored as metadata: downloads are always served as octet-stream.
    static func storedContentType(_ declared: String?) -> String {
        let fallback = "application/octet-stream"
        guard let declared else { return fallback }
        let trimmed = declared.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200, trimmed.contains("/"),
            trimmed.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else { return fallback }
        return trimmed
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        guard let first = self.firstIndex(where: { !$0.isWhitespace }),
            let last = self.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
