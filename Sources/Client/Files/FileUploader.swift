public import Core
import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
import OlafCrypto

/// Uploads a file to the home server's `POST /api/upload` (on its own host and port, or at the configured
/// `FileAPIBase`) as `multipart/form-data` (field `file`), streaming the bytes through without holding them in
/// memory, and returns the absolute `file_url`.
public struct FileUploader: Sendable {
    /// Where uploads go.
    public let fileAPI: FileAPIBase
    public let tls: TLSConfiguration?
    /// Largest reply body read.
    static let maxReplyBytes = 64 * 1024

    /// Uploads to the home server's own file API.
    public init(home: ServerAddress, tls: TLSConfiguration? = nil) {
        self.init(fileAPI: FileAPIBase(home: home), tls: tls)
    }

    /// Uploads to the file API at `fileAPI`.
    public init(fileAPI: FileAPIBase, tls: TLSConfiguration? = nil) {
        self.fileAPI = fileAPI
        self.tls = tls
    }

    private var home: ServerAddress { fileAPI.server }

    /// Streams `size` bytes from `body` as the file `name`. `progress` gets the bytes sent so far.
    public func upload<Body: AsyncSequence & Sendable>(
        name: String, size: Int64, body: Body, progress: @escaping @Sendable (Int64) -> Void = { _ in }
    ) async throws(UploadError) -> String where Body.Element == ByteBuffer {
        let boundary =
            "olaf-"
            + ((try? SecureRandom.bytes(16)) ?? Array(repeating: 7, count: 16)).map {
                String($0, radix: 16)
            }.joined()
        let prefix =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(Self.headerSafe(name))\""
            + "\r\nContent-Type: application/octet-stream\r\n\r\n"
        let suffix = "\r\n--\(boundary)--\r\n"
        let total = Int64(prefix.utf8.count) + size + Int64(suffix.utf8.count)

        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: fileAPI.uploadPath)
        head.headers.add(name: "Host", value: home.canonical)
        head.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        head.headers.add(name: "Content-Length", value: String(total))
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "User-Agent", value: "olaf-client")

        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await connect()
        } catch {
            throw .noEndpoint(url: fileAPI.uploadURL, reason: ClientEngine.describe(error))
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var responses = inbound.makeAsyncIterator()
                do {
                    try await outbound.write(.head(head))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: prefix))))
                    var sent: Int64 = 0
                    for try await chunk in body {
                        sent += Int64(chunk.readableBytes)
                        guard sent <= size else { throw UploadError.tooLarge(limit: size) }
                        try await outbound.write(.body(.byteBuffer(chunk)))
                        progress(sent)
                    }
                    guard sent == size else { throw UploadError.bodyShorterThanDeclared }
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: suffix))))
                    try await outbound.write(.end(nil))
                } catch let error as UploadError {
                    throw error
                } catch {
                    // The server may have answered early (413) and closed: its answer is the better error.
                    if let reply = try? await Self.readReply(&responses) { return try self.interpret(reply) }
                    throw UploadError.unreachable("the connection broke during the upload (\(error))")
                }
                return try self.interpret(try await Self.readReply(&responses))
            }
        } catch let error as UploadError {
            throw error
        } catch {
            throw .unreachable("\(error)")
        }
    }

    private func interpret(_ reply: (status: Int, body: [UInt8])) throws(UploadError) -> String {
        switch reply.status {
        case 200, 201: return try UploadReply.fileURL(from: reply.body, fileAPI: fileAPI)
        case 413: throw .tooLarge(limit: nil)
        case 404, 405, 501:
            throw .noEndpoint(url: fileAPI.uploadURL, reason: "it answered \(reply.status): no upload API there")
        default:
            let text = String(decoding: reply.body.prefix(200), as: UTF8.self)
            throw .rejected(status: reply.status, detail: text.isEmpty ? "no detail" : text)
        }
    }

    private static func readReply(
        _ responses: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    ) async throws -> (status: Int, body: [UInt8]) {
        var status: Int?
        var body: [UInt8] = []
        while let part = try await responses.next() {
            switch part {
            case .head(let head):
                // Skip interim 1xx responses (100 Continue).
                status = head.status.code >= 200 ? Int(head.status.code) : nil
            case .body(let buffer):
                guard status != nil else { continue }
                if body.count < maxReplyBytes { body += buffer.readableBytesView.prefix(maxReplyBytes - body.count) }
            case .end:
                if let status { return (status, body) }
            }
        }
        guard let status else { throw UploadError.unreachable("the server closed the connection without answering") }
        return (status, body)
    }

    private func connect() async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        let host = home.host
        let sslContext = try home.usesTLS ? NIOSSLContext(configuration: tls ?? .makeClientConfiguration()) : nil
        let serverName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: Int(home.port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
    }

    /// A filename safe inside a quoted header parameter: quotes, backslashes and control characters replaced.
    static func headerSafe(_ name: String) -> String {
        let cleaned = String(
            name.unicodeScalars.map { scalar -> Character in
                scalar == "\"" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F
                    ? "_" : Character(scalar)
            }
        ).prefix(200)
        return cleaned.isEmpty ? "file" : String(cleaned)
    }
}
