public import Hummingbird
import Foundation
import Logging
import NIOCore
public import NIOPosix

/// The HTTP file API (protocol.md "File transfer (HTTP)"):
/// - `POST /api/upload`: `multipart/form-data` (the first part with a filename is stored, or else the first part)
///   or a raw body of any other type (name from `?name=`, else `file`). 200 `{"file_url": "<absolute URL>"}`;
///   413 too large (at once from Content-Length, or while streaming); 507 quota or disk full; 400 malformed
///   multipart.
/// - `GET` / `HEAD /api/files/{id}/{name}`: the bytes as an attachment (the name segment is ignored);
///   404 for a malformed, unknown, or expired id.
///
/// Bodies are streamed both ways in constant memory.
public struct FileRoutes: Sendable {
    /// Default allowance for multipart framing (boundaries, part headers, small form fields) on top of the
    /// file size limit, when judging a multipart request's total size.
    public static let defaultMultipartOverheadBytes: Int64 = 64 * 1024

    /// The store uploads go to and downloads come from.
    public let store: FileStore
    /// Extra bytes a multipart request may carry beyond ``FileStoreConfiguration/maxUploadBytes``.
    public let multipartOverheadBytes: Int64
    private let fileIO: FileIO

    /// Creates the routes.
    /// - Parameters:
    ///   - threadPool: the pool downloads are read on (Hummingbird `FileIO`).
    public init(
        store: FileStore,
        multipartOverheadBytes: Int64 = FileRoutes.defaultMultipartOverheadBytes,
        threadPool: NIOThreadPool = .singleton
    ) {
        self.store = store
        self.multipartOverheadBytes = max(0, multipartOverheadBytes)
        self.fileIO = FileIO(threadPool: threadPool)
    }

    /// Adds `POST /api/upload`, `GET /api/files/{id}/{name}` and `HEAD /api/files/{id}/{name}` to `router`.
    public func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.post("/api/upload") { request, context in
            try await self.upload(request, context: context)
        }
        router.get("/api/files/{id}/{name}") { request, context in
            try await self.download(request, context: context, includeBody: true)
        }
        router.head("/api/files/{id}/{name}") { request, context in
            try await self.download(request, context: context, includeBody: false)
        }
    }

    // MARK: Upload

    func upload(_ request: Request, context: some RequestContext) async throws -> Response {
        let contentType = request.headers[.contentType]
        let multipartContentType = contentType.flatMap { MultipartParser.isFormData(contentType: $0) ? $0 : nil }
        let maxUpload = self.store.configuration.maxUploadBytes
        let withOverhead = maxUpload.addingReportingOverflow(self.multipartOverheadBytes)
        let maxBody =
            multipartContentType == nil ? maxUpload : (withOverhead.overflow ? Int64.max : withOverhead.partialValue)
        let declaredLength = request.headers[.contentLength].flatMap { Int64($0) }
        if let declaredLength, declaredLength > maxBody {
            // Refused before reading any of the body.
            return Self.errorResponse(.contentTooLarge, "file too large")
        }
        let queryName = request.uri.queryParameters.get("name")
        do {
            let file: StoredFile
            if let multipartContentType {
                file = try await self.storeMultipart(
                    request.body, contentType: multipartContentType, fallbackName: queryName ?? "file",
                    maxBodyBytes: maxBody)
            } else {
                file = try await self.store.store(
                    request.body, name: queryName ?? "file", contentType: contentType, expectedSize: declaredLength)
            }
            context.logger.debug("stored upload", metadata: ["olaf.file.size": "\(file.size)"])
            return try Self.jsonResponse(.ok, ["file_url": self.store.fileURL(for: file)])
        } catch let error as FileStoreError {
            switch error {
            case .tooLarge: return Self.errorResponse(.contentTooLarge, "file too large")
            case .quotaExceeded: return Self.errorResponse(Self.insufficientStorage, "storage quota exceeded")
            case .diskFull: return Self.errorResponse(Self.insufficientStorage, "no space left for uploads")
            }
        } catch let error as MultipartError {
            context.logger.debug("malformed multipart upload", metadata: ["olaf.error": "\(error)"])
            return Self.errorResponse(.badRequest, "malformed multipart body")
        } catch is NoFilePart {
            return Self.errorResponse(.badRequest, "no file part")
        }
    }

    /// The multipart body contained no part at all.
    private struct NoFilePart: Error {}

    /// Streams the chosen part into the store. The first part is stored tentatively; if it has no filename and
    /// a later part has one, the tentative upload is discarded and the later part stored instead. The upload
    /// is committed only once the whole message parsed (closing boundary seen).
    private func storeMultipart(
        _ body: RequestBody,
        contentType: String,
        fallbackName: String,
        maxBodyBytes: Int64
    ) async throws -> StoredFile {
        var source = MultipartEventSource(
            parser: try MultipartParser(contentType: contentType), iterator: body.makeAsyncIterator(),
            maxBodyBytes: maxBodyBytes, maxUploadBytes: self.store.configuration.maxUploadBytes)
        guard var headers = try await source.nextPartHeaders() else { throw NoFilePart() }
        while true {
            let isFilePart = headers.filename != nil
            var replacement: MultipartPartHeaders?
            let stored = try await self.store.withUpload { writer in
                var partEnded = false
                bodyLoop: while let event = try await source.next() {
                    switch event {
                    case .body(let chunk): try await writer.write(chunk)
                    case .partEnd:
                        partEnded = true
                        break bodyLoop
                    case .partHeaders, .end: throw MultipartError.unexpectedEnd  // not produced mid-part
                    }
                }
                guard partEnded else { throw MultipartError.unexpectedEnd }
                // Read the rest of the message: it must be well-formed before anything is committed.
                while let event = try await source.next() {
                    if case .partHeaders(let later) = event, !isFilePart, later.filename != nil {
                        replacement = later
                        return nil
                    }
                }
                return FileStore.UploadDetails(
                    name: headers.filename ?? fallbackName, contentType: headers.contentType)
            }
            if let stored { return stored }
            guard let replacement else { throw MultipartError.unexpectedEnd }
            headers = replacement
        }
    }

    // MARK: Download

    func download(_ request: Request, context: some RequestContext, includeBody: Bool) async throws -> Response {
        guard let id = context.parameters.get("id"), let opened = try await self.store.open(id: id) else {
            return includeBody ? Self.errorResponse(.notFound, "not found") : Response(status: .notFound)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = FileNames.contentDisposition(for: opened.metadata.name)
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        headers[.cacheControl] = "private, max-age=0"
        guard includeBody else {
            headers[.contentLength] = String(opened.metadata.size)
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        let body: ResponseBody
        do {
            body = try await self.fileIO.loadFile(path: opened.path, context: context)
        } catch {
            // Metadata without bytes (removed underneath us): same answer as an unknown id.
            return Self.errorResponse(.notFound, "not found")
        }
        headers[.contentLength] = String(body.contentLength ?? 0)
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Responses

    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    static func jsonResponse(_ status: HTTPResponse.Status, _ object: [String: String]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(object)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        // Encoding a [String: String] cannot fail; fall back to an empty body rather than trapping.
        (try? jsonResponse(status, ["error": message])) ?? Response(status: status)
    }
}

/// Pulls multipart events, reading more of the request body whenever the parser needs input, and enforces the
/// cap on the whole body.
struct MultipartEventSource {
    var parser: MultipartParser
    var iterator: RequestBody.AsyncIterator
    let maxBodyBytes: Int64
    let maxUploadBytes: Int64
    private var bodyBytes: Int64 = 0
    private var inputEnded = false

    init(parser: MultipartParser, iterator: RequestBody.AsyncIterator, maxBodyBytes: Int64, maxUploadBytes: Int64) {
        self.parser = parser
        self.iterator = iterator
        self.maxBodyBytes = maxBodyBytes
        self.maxUploadBytes = maxUploadBytes
    }

    /// The next event; nil once the message ended and the whole body (epilogue included) was read.
    mutating func next() async throws -> MultipartEvent? {
        while true {
            if let event = try self.parser.next() { return event }
            if self.inputEnded { return nil }
            if let chunk = try await self.iterator.next() {
                self.bodyBytes += Int64(chunk.readableBytes)
                guard self.bodyBytes <= self.maxBodyBytes else {
                    throw FileStoreError.tooLarge(limit: self.maxUploadBytes)
                }
                self.parser.append(chunk)
            } else {
                self.inputEnded = true
                self.parser.finish()
            }
        }
    }

    /// Skips to the first part's headers; nil if the message has no parts.
    mutating func nextPartHeaders() async throws -> MultipartPartHeaders? {
        while let event = try await self.next() {
            if case .partHeaders(let headers) = event { return headers }
        }
        return nil
    }
}
