public import NIOCore

/// Errors reported by ``MultipartParser``. Every malformed input maps to one of these; the parser never traps.
public enum MultipartError: Error, Sendable, Equatable {
    /// The Content-Type has no `boundary` parameter.
    case missingBoundary
    /// The boundary is empty, longer than 70 characters, or uses characters RFC 2046 does not allow.
    case invalidBoundary
    /// The Content-Type is not `multipart/form-data`.
    case notFormData
    /// A part's header block is larger than the configured cap (in bytes).
    case headersTooLarge(limit: Int)
    /// A part's header block is not valid `Name: value` lines (or a header value cannot be parsed).
    case malformedHeaders
    /// A boundary line is followed by something other than `--`, transport padding, or CRLF.
    case malformedDelimiter
    /// The body ended before the closing boundary (`--boundary--`) was seen.
    case unexpectedEnd
}

/// The parsed headers of one multipart part (only the fields the file API needs).
public struct MultipartPartHeaders: Sendable, Equatable {
    /// The Content-Disposition `name` parameter (the form field name), if any.
    public var name: String?
    /// The Content-Disposition file name: `filename*` (RFC 5987/8187, percent-decoded) when present and decodable,
    /// otherwise `filename` (quoted-string unescaped). Not sanitised: callers must sanitise before use.
    public var filename: String?
    /// The part's Content-Type header value, trimmed, if any.
    public var contentType: String?

    /// Creates part headers.
    public init(name: String? = nil, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }
}

/// One step of a multipart message, as produced by ``MultipartParser/next()``.
///
/// A well-formed message yields, for each part: `partHeaders`, zero or more `body` chunks, `partEnd`;
/// and finally `end` once the closing boundary is seen.
public enum MultipartEvent: Sendable, Equatable {
    /// The headers of a new part.
    case partHeaders(MultipartPartHeaders)
    /// A chunk of the current part's body (never empty). Chunk boundaries carry no meaning.
    case body(ByteBuffer)
    /// The current part is complete.
    case partEnd
    /// The closing boundary was seen; anything after it (the epilogue) is ignored.
    case end
}
