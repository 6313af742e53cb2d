/// PEM text handling for public keys: lenient reading, canonical and wrapped writing.
public enum PEM {
    /// The armour lines of a SubjectPublicKeyInfo PEM.
    public static let publicKeyHeader = "-----BEGIN PUBLIC KEY-----"
    public static let publicKeyFooter = "-----END PUBLIC KEY-----"

    /// Extracts the DER bytes of the first `label` block in `text`, tolerating any line width, CRLF, surrounding
    /// whitespace and a trailing newline. Throws `invalidPEM` when the armour is missing or the body is not base64.
    public static func decodeBlock(_ text: String, header: String = publicKeyHeader, footer: String = publicKeyFooter)
        throws(CryptoError) -> [UInt8]
    {
        var text = text
        let decoded: Result<[UInt8], CryptoError> = text.withUTF8 { bytes in
            guard let headerEnd = firstIndex(of: Array(header.utf8), in: bytes, from: 0)?.upperBound else {
                return .failure(.invalidPEM("missing \"\(header)\" line"))
            }
            guard let footerStart = firstIndex(of: Array(footer.utf8), in: bytes, from: headerEnd)?.lowerBound else {
                return .failure(.invalidPEM("missing \"\(footer)\" line"))
            }
            let body = UnsafeBufferPointer(rebasing: bytes[headerEnd..<footerStart])
            guard let der = Base64.decodeIgnoringWhitespace(utf8: body), !der.isEmpty else {
                return .failure(.invalidPEM("the body between the armour lines is not valid base64"))
            }
            return .success(der)
        }
        return try decoded.get()
    }

    /// The range of the first occurrence of `needle` in `haystack` at or after `start`.
    private static func firstIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int)
        -> Range<Int>?
    {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], haystack[i..<i + needle.count].elementsEqual(needle) {
                return i..<i + needle.count
            }
            i += 1
        }
        return nil
    }

    /// The protocol's canonical layout: header, base64 of the DER on one line, footer; no trailing newline.
    /// Built at its exact size: a server keeps one per connected client (interpolation would reserve about twice).
    public static func canonical(der: [UInt8]) -> String {
        let body = Base64.encode(der)
        var pem = ""
        pem.reserveCapacity(publicKeyHeader.utf8.count + body.utf8.count + publicKeyFooter.utf8.count + 2)
        pem += publicKeyHeader
        pem += "\n"
        pem += body
        pem += "\n"
        pem += publicKeyFooter
        return pem
    }

    /// The layout OpenSSL and most libraries write: body wrapped at `lineLength` columns, trailing newline.
    public static func wrapped(der: [UInt8], lineLength: Int = 64) -> String {
        precondition(lineLength > 0, "line length must be positive")
        let body = Array(Base64.encode(der).utf8)
        var lines: [String] = [publicKeyHeader]
        var start = 0
        while start < body.count {
            let end = min(start + lineLength, body.count)
            lines.append(String(decoding: body[start..<end], as: UTF8.self))
            start = end
        }
        lines.append(publicKeyFooter)
        return lines.joined(separator: "\n") + "\n"
    }
}
