import OlafTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Server
import Testing

/// Builds an application serving only the file routes.
func fileApplication(_ fixture: FileStoreFixture, live: Bool = false) -> some ApplicationProtocol {
    let router = Router()
    FileRoutes(store: fixture.store).register(on: router)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: live ? 0 : 8080)))
}

/// A multipart body with the given parts (`filename` nil → a plain field).
func multipartBody(boundary: String, parts: [(name: String, filename: String?, contentType: String?, body: [UInt8])])
    -> ByteBuffer
{
    var bytes: [UInt8] = Array("preamble\r\n".utf8)
    for part in parts {
        var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
        if let filename = part.filename { disposition += "; filename=\"\(filename)\"" }
        bytes += Array("--\(boundary)\r\n\(disposition)\r\n".utf8)
        if let contentType = part.contentType { bytes += Array("Content-Type: \(contentType)\r\n".utf8) }
        bytes += Array("\r\n".utf8) + part.body + Array("\r\n".utf8)
    }
    bytes += Array("--\(boundary)--\r\n".utf8)
    return ByteBuffer(bytes: bytes)
}

/// The `file_url` of a successful upload response.
func fileURL(from response: TestResponse) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
    return try #require(object?["file_url"] as? String)
}

/// The path (and beyond) of an absolute URL, for requests to the test server.
func pathPart(of url: String, base: String = "https://chat.example.org:8443") throws -> String {
    #expect(url.hasPrefix(base + "/api/files/"))
    return String(url.dropFirst(base.count))
}

@Suite("File routes")
struct FileRoutesTests {
    @Test("multipart upload, then byte-exact download with safe headers")
    func multipartRoundTrip() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let payload = testBytes(count: 200_000) + Array("\r\n--b0undary\r\n".utf8)
        let boundary = "----b0undary"
        let body = multipartBody(
            boundary: boundary,
            parts: [
                (name: "file", filename: "Quarterly \\\"report\\\".pdf", contentType: "application/pdf", body: payload)
            ])

        try await fileApplication(fixture).test(.router) { client in
            let upload = try await client.execute(
                uri: "/api/upload", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
            #expect(upload.status == .ok)
            #expect(upload.headers[.contentType] == "application/json")
            let url = try fileURL(from: upload)
            let id = String(try pathPart(of: url).dropFirst("/api/files/".count).prefix(32))
            #expect(FileStore.isValidID(id))
            #expect(url == "https://chat.example.org:8443/api/files/\(id)/Quarterly%20report.pdf")
            #expect(String(buffer: upload.body) == #"{"file_url":"\#(url)"}"#)

            let download = try await client.execute(uri: try pathPart(of: url), method: .get)
            #expect(download.status == .ok)
            #expect(Array(download.body.readableBytesView) == payload)
            #expect(download.headers[.contentType] == "application/octet-stream")
            #expect(download.headers[.contentLength] == String(payload.count))
            #expect(
                download.headers[.contentDisposition]
                    == "attachment; filename=\"Quarterly report.pdf\"; filename*=UTF-8''Quarterly%20report.pdf")
            #expect(download.headers[.xContentTypeOptions] == "nosniff")
            #expect(download.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox")
            #expect(download.headers[.cacheControl] == "private, max-age=0")

            // The name segment does not matter for lookup.
            let otherName = try await client.execute(uri: "/api/files/\(id)/anything", method: .get)
            #expect(Array(otherName.body.readableBytesView) == payload)

            let head = try await client.execute(uri: "/api/files/\(id)/x", method: .head)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(payload.count))
            #expect(head.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox")
            #expect(head.body.readableBytes == 0)
        }
        let stored = try await fixture.metadata.files()
        #expect(stored.count == 1)
        #expect(stored.first?.contentType == "application/pdf")
        #expect(stored.first?.sha256 == FakeHasher.hexDigest(of: payload))
    }

    @Test("multipart: a file part after a plain field is the one stored; a field alone is stored too")
    func multipartPartSelection() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        try await fileApplication(fixture).test(.router) { client in
            let body = multipartBody(
                boundary: "B",
                parts: [
                    (name: "comment", filename: nil, contentType: nil, body: Array("not the file".utf8)),
                    (name: "upload", filename: "a.txt", contentType: "text/plain", body: Array("the file".utf8)),
                    (name: "other", filename: "b.txt", contentType: nil, body: Array("second file".utf8)),
                ])
            let upload = try await client.execute(
                uri: "/api/upload", method: .post, headers: [.contentType: "multipart/form-data; boundary=B"],
                body: body)
            #expect(upload.status == .ok)
            let url = try fileURL(from: upload)
            #expect(url.hasSuffix("/a.txt"))
            let download = try await client.execute(uri: try pathPart(of: url), method: .get)
            #expect(String(buffer: download.body) == "the file")

            let fieldOnly = multipartBody(
                boundary: "B",
                parts: [(name: "comment", filename: nil, contentType: nil, body: Array("just text".utf8))])
            let second = try await client.execute(
                uri: "/api/upload?name=notes.txt", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=B"], body: fieldOnly)
            #expect(second.status == .ok)
            let secondURL = try fileURL(from: second)
            #expect(secondURL.hasSuffix("/notes.txt"))
            #expect(
                String(buffer: try await client.execute(uri: try pathPart(of: secondURL), method: .get).body)
                    == "just text")
        }
        // The discarded tentative upload of the plain field left nothing behind.
        #expect(fixture.storedFiles().count == 2)
        #expect(fixture.temporaryFiles().isEmpty)
    }

    @Test("raw octet-stream upload with ?name=")
    func rawUpload() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        let payload = testBytes(count: 100_000)
        try await fileApplication(fixture).test(.router) { client in
            let upload = try await client.execute(
                uri: "/api/upload?name=..%2Fmy%20report.pdf", method: .post,
                headers: [.contentType: "application/octet-stream"], body: ByteBuffer(bytes: payload))
            #expect(upload.status == .ok)
            let url = try fileURL(from: upload)
            #expect(url.hasSuffix("/my%20report.pdf"))
            let download = try await client.execute(uri: try pathPart(of: url), method: .get)
            #expect(Array(download.body.readableBytesView) == payload)

            let unnamed = try await client.execute(
                uri: "/api/upload", method: .post, headers: [.contentType: "image/png"],
                body: ByteBuffer(bytes: [1, 2, 3]))
            #expect(try fileURL(from: unnamed).hasSuffix("/file"))
        }
    }

    @Test("413 from Content-Length alone, without reading the body")
    func tooLargeContentLength() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1024)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        try await fileApplication(fixture).test(.router) { client in
            // The declared length is a lie (no body follows): if the route read the body it would store an empty file.
            let raw = try await client.execute(
                uri: "/api/upload", method: .post,
                headers: [.contentType: "application/octet-stream", .contentLength: "1025"], body: nil)
            #expect(raw.status == .contentTooLarge)
            #expect(String(buffer: raw.body) == #"{"error":"file too large"}"#)
            let multipart = try await client.execute(
                uri: "/api/upload", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=B", .contentLength: "\(1024 + 64 * 1024 + 1)"],
                body: nil)
            #expect(multipart.status == .contentTooLarge)
            // A body that really is too large, with its real Content-Length.
            let real = try await client.execute(
                uri: "/api/upload", method: .post, body: ByteBuffer(bytes: testBytes(count: 1025)))
            #expect(real.status == .contentTooLarge)
        }
        #expect(fixture.storedFiles().isEmpty)
        #expect(try await fixture.metadata.files().isEmpty)
    }

    @Test("413 while streaming a multipart body whose file part is too large")
    func tooLargeMultipartStreaming() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1024)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        try await fileApplication(fixture).test(.router) { client in
            // Under the Content-Length allowance for framing, but the file part itself is over the limit.
            let body = multipartBody(
                boundary: "B", parts: [(name: "file", filename: "f", contentType: nil, body: testBytes(count: 1025))])
            let response = try await client.execute(
                uri: "/api/upload", method: .post, headers: [.contentType: "multipart/form-data; boundary=B"],
                body: body)
            #expect(response.status == .contentTooLarge)
        }
        #expect(fixture.storedFiles().isEmpty)
        #expect(fixture.temporaryFiles().isEmpty)
    }

    @Test("413 for a chunked body over the limit (no Content-Length), on a live server")
    func tooLargeChunked() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 100_000)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        try await fileApplication(fixture, live: true).test(.live) { client in
            let port = try #require(client.port)
            let raw = try await sendChunkedUpload(
                port: port, path: "/api/upload?name=big", contentType: "application/octet-stream",
                body: testBytes(count: 300_000))
            #expect(raw.hasPrefix("HTTP/1.1 413"))
            let small = try await sendChunkedUpload(
                port: port, path: "/api/upload?name=small", contentType: "application/octet-stream",
                body: testBytes(count: 50_000))
            #expect(small.hasPrefix("HTTP/1.1 200"))
            let multipart = multipartBody(
                boundary: "B", parts: [(name: "file", filename: "f", contentType: nil, body: testBytes(count: 200_000))]
            )
            let multipartResponse = try await sendChunkedUpload(
                port: port, path: "/api/upload", contentType: "multipart/form-data; boundary=B",
                body: Array(multipart.readableBytesView))
            #expect(multipartResponse.hasPrefix("HTTP/1.1 413"))
            // A small file part followed by a huge plain field: the whole body is capped too
            // (maxUploadBytes + the multipart framing allowance).
            let padded = multipartBody(
                boundary: "B",
                parts: [
                    (name: "file", filename: "f", contentType: nil, body: [1, 2, 3]),
                    (name: "padding", filename: nil, contentType: nil, body: testBytes(count: 100_000 + 64 * 1024)),
                ])
            let paddedResponse = try await sendChunkedUpload(
                port: port, path: "/api/upload", contentType: "multipart/form-data; boundary=B",
                body: Array(padded.readableBytesView))
            #expect(paddedResponse.hasPrefix("HTTP/1.1 413"))
            let head = try await client.execute(uri: "/api/files/\(String(repeating: "a", count: 32))/x", method: .head)
            #expect(head.status == .notFound)
        }
        #expect(try await fixture.metadata.files().map(\.name) == ["small"])
        #expect(fixture.temporaryFiles().isEmpty)
    }

    @Test("507 when the store is full")
    func quota() async throws {
        let fixture = try FileStoreFixture(maxUploadBytes: 1000, maxTotalBytes: 1500)
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        try await fileApplication(fixture).test(.router) { client in
            let first = try await client.execute(
                uri: "/api/upload", method: .post, body: ByteBuffer(bytes: testBytes(count: 1000)))
            #expect(first.status == .ok)
            let second = try await client.execute(
                uri: "/api/upload", method: .post, body: ByteBuffer(bytes: testBytes(count: 600)))
            #expect(second.status.code == 507)
            #expect(String(buffer: second.body) == #"{"error":"storage quota exceeded"}"#)
        }
    }

    @Test("400 for malformed multipart bodies")
    func malformedMultipart() async throws {
        let fixture = try FileStoreFixture()
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        try await fileApplication(fixture).test(.router) { client in
            let cases: [(contentType: String, body: String)] = [
                ("multipart/form-data", "--B\r\n\r\nx\r\n--B--"),  // no boundary parameter
                (
                    "multipart/form-data; boundary=B",
                    "--B\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nnever closed"
                ),
                ("multipart/form-data; boundary=B", "--B\r\nno colon here\r\n\r\nx\r\n--B--"),
                ("multipart/form-data; boundary=B", "--B--\r\n"),  // no parts at all
            ]
            for (contentType, body) in cases {
                let response = try await client.execute(
                    uri: "/api/upload", method: .post, headers: [.contentType: contentType],
                    body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body.debugDescription)")
                #expect(response.headers[.contentType] == "application/json")
            }
        }
        #expect(fixture.storedFiles().isEmpty)
        #expect(fixture.temporaryFiles().isEmpty)
    }

    @Test("unknown, malformed and traversal ids are 404 and never reach outside the files folder")
    func notFoundAndTraversal() async throws {
        let fixture = try FileStoreFixture(metadata: LenientMetadataStore())
        defer { fixture.directory.remove() }
        try await fixture.store.prepare()
        // Bait files a traversal would reach.
        #expect(FileManager.default.createFile(atPath: fixture.root + "/secret", contents: Data("secret".utf8)))
        #expect(FileManager.default.createFile(atPath: fixture.root + "/tmp/x.part", contents: Data("partial".utf8)))
        try await fileApplication(fixture).test(.router) { client in
            let upload = try await client.execute(uri: "/api/upload", method: .post, body: ByteBuffer(string: "real"))
            let url = try fileURL(from: upload)
            let id = String(try pathPart(of: url).dropFirst("/api/files/".count).prefix(32))
            #expect(String(buffer: try await client.execute(uri: "/api/files/\(id)/x", method: .get).body) == "real")

            // Unknown but well-formed ids: the lenient metadata store fabricates a row, the bytes do not exist.
            let unknown = try await client.execute(
                uri: "/api/files/\(String(repeating: "0", count: 32))/x", method: .get)
            #expect(unknown.status == .notFound)

            let paths = [
                "/api/files/\(id.uppercased())/x",
                "/api/files/\(id)0/x",
                "/api/files/../secret",
                "/api/files/..%2fsecret/x",
                "/api/files/..%2F..%2Fetc%2Fpasswd/x",
                "/api/files/..%2f..%2fetc%2fpasswd/x",
                "/api/files/%2e%2e/x",
                "/api/files/%2e%2e%2fsecret/x",
                "/api/files/..%5csecret/x",
                "/api/files/..%5c..%5cetc%5cpasswd/x",
                "/api/files/%2e%2e%2ftmp%2fx.part/x",
                "/api/files/\(id)%00/x",
                "/api/files/\(id)%2f..%2f..%2fsecret/x",
                "/api/files//x",
            ]
            for path in paths {
                for method in [HTTPRequest.Method.get, .head] {
                    let response = try await client.execute(uri: path, method: method)
                    #expect(response.status == .notFound, "\(method) \(path)")
                    #expect(!String(buffer: response.body).contains("secret"))
                    #expect(!String(buffer: response.body).contains("partial"))
                }
            }
        }
    }
}

/// Sends a `Transfer-Encoding: chunked` POST over a raw socket and returns the response head as text.
func sendChunkedUpload(port: Int, path: String, contentType: String, body: [UInt8]) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(
            ByteBuffer(
                string: "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(contentType)\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"))
        var offset = 0
        while offset < body.count {
            let end = min(offset + 8192, body.count)
            var chunk = ByteBuffer(string: String(end - offset, radix: 16) + "\r\n")
            chunk.writeBytes(body[offset..<end])
            chunk.writeString("\r\n")
            try await outbound.write(chunk)
            offset = end
        }
        try await outbound.write(ByteBuffer(string: "0\r\n\r\n"))
        var response = ByteBuffer()
        for try await part in inbound {
            response.writeImmutableBuffer(part)
            if String(buffer: response).contains("\r\n\r\n") { break }
        }
        return String(buffer: response)
    }
}
