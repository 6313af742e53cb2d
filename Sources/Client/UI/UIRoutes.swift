import Core
import OlafCrypto
import Foundation
public import Hummingbird
public import HummingbirdWebSocket
import Logging
import NIOCore

/// The UI's JSON API and static pages. Every route sits behind `UIGuard`.
public struct UIRoutes: Sendable {
    let session: UserSession
    let assets: UIAssets
    let uploader: FileUploader
    let maxUploadBytes: Int64

    public init(session: UserSession, assets: UIAssets, maxUploadBytes: Int64) {
        self.session = session
        self.assets = assets
        self.uploader = FileUploader(fileAPI: session.configuration.effectiveFileAPI, tls: session.configuration.tls)
        self.maxUploadBytes = maxUploadBytes
    }

    public func register(on router: Router<BasicWebSocketRequestContext>) {
        for path in assets.paths {
            router.get(RouterPath(path)) { _, _ in assets.response(for: path) ?? Response(status: .notFound) }
        }
        router.get("/api/state") { _, _ in await state() }
        router.post("/api/unlock") { request, _ in
            let body = try await JSONResponse.decode(API.Passphrase.self, from: request)
            return try await keystoreAction { try await session.unlock(passphrase: body.passphrase) }
        }
        router.post("/api/create") { request, _ in
            let body = try await JSONResponse.decode(API.Passphrase.self, from: request)
            return try await keystoreAction { try await session.create(passphrase: body.passphrase) }
        }
        router.get("/api/online") { _, _ in try await online() }
        router.get("/api/conversations") { _, _ in
            _ = try await unlockedEngine()
            return JSONResponse.encode(API.Conversations(conversations: try await session.store.conversations()))
        }
        router.get("/api/messages") { request, _ in
            _ = try await unlockedEngine()
            guard let conversation = request.uri.queryParameters.get("conversation"), conversation.count <= 64 else {
                throw HTTPError(.badRequest, message: "give ?conversation=ID")
            }
            let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
            let messages = try await session.store.messages(in: conversation, before: before)
            return JSONResponse.encode(API.Messages(conversation: conversation, messages: messages))
        }
        router.post("/api/send") { request, _ in try await send(request) }
        router.post("/api/nickname") { request, _ in
            let engine = try await unlockedEngine()
            let body = try await JSONResponse.decode(API.Nickname.self, from: request)
            guard try await engine.setNickname(body.nickname, for: body.fingerprint) else {
                throw HTTPError(.notFound, message: "no one with that fingerprint has been seen")
            }
            return JSONResponse.encode(API.Ok())
        }
        router.post("/api/upload") { request, _ in try await upload(request) }
        router.ws(
            "/api/events",
            // A browser that offered subprotocols fails the connection unless the answer names one of them.
            shouldUpgrade: { _, _ in .upgrade([.secWebSocketProtocol: AccessToken.eventsSubprotocol]) }
        ) { inbound, outbound, _ in
            try await UIEvents.stream(session.events.subscribe(), inbound: inbound, outbound: outbound)
        }
    }

    // MARK: Handlers

    func state() async -> Response {
        let engine = await session.engine
        let snapshot = await engine?.snapshot()
        let publicKey = engine?.key.publicKey ?? session.keystore.publicKey()
        var drops: [String: Int] = [:]
        for (reason, count) in snapshot?.drops ?? [:] { drops[reason.rawValue] = count }
        return JSONResponse.encode(
            API.State(
                locked: engine == nil, hasKey: session.keystore.exists, fingerprint: publicKey?.fingerprint,
                publicKey: publicKey?.canonicalPEM, homeServer: session.configuration.home.canonical,
                connection: snapshot?.connection, drops: drops, uploadURL: uploader.fileAPI.uploadURL,
                maxUploadBytes: maxUploadBytes,
                maxMessageBytes: session.configuration.limits.maxMessageBytes))
    }

    private func keystoreAction(_ action: () async throws -> ClientEngine) async throws -> Response {
        do {
            _ = try await action()
        } catch let error as ClientKeystoreError {
            switch error {
            case .wrongPassphrase: throw HTTPError(.forbidden, message: "wrong passphrase")
            case .passphraseTooShort, .keyAlreadyExists, .noKeyYet:
                throw HTTPError(.badRequest, message: error.description)
            default: throw HTTPError(.internalServerError, message: error.description)
            }
        }
        return await state()
    }

    private func unlockedEngine() async throws -> ClientEngine {
        guard let engine = await session.engine else {
            throw HTTPError(.conflict, message: "locked: unlock with your passphrase first")
        }
        return engine
    }

    func online() async throws -> Response {
        let engine = try await unlockedEngine()
        let snapshot = await engine.snapshot()
        let home = session.configuration.home
        let servers = snapshot.servers.map { server in
            API.OnlineServer(
                address: server.address, isHome: (try? ServerAddress(parsing: server.address)) == home,
                clients: server.fingerprints.map {
                    API.OnlineClient(
                        fingerprint: $0, nickname: snapshot.nicknames[$0], isSelf: $0 == engine.fingerprint)
                })
        }
        return JSONResponse.encode(
            API.Online(
                servers: servers, nicknames: snapshot.nicknames,
                refreshedAt: snapshot.listRefreshedAt?.timeIntervalSince1970))
    }

    private func send(_ request: Request) async throws -> Response {
        let engine = try await unlockedEngine()
        let body = try await JSONResponse.decode(API.Send.self, from: request)
        do {
            let record: MessageRecord
            switch body.kind {
            case "public": record = try await engine.sendPublic(body.text)
            case "chat":
                let file = body.file.flatMap { link in
                    FileLinkDetector.link(in: link.url).map {
                        FileLink(url: $0.url, name: String(link.name.prefix(255)), size: link.size)
                    }
                }
                record = try await engine.sendChat(body.text, to: body.to ?? [], file: file)
            default: throw HTTPError(.badRequest, message: "kind must be \"public\" or \"chat\"")
            }
            return JSONResponse.encode(record)
        } catch let error as SendError {
            switch error {
            case .notConnected: throw HTTPError(.serviceUnavailable, message: error.description)
            case .recipientOffline: throw HTTPError(.notFound, message: error.description)
            case .store: throw HTTPError(.internalServerError, message: error.description)
            case .noRecipients, .emptyMessage, .invalid: throw HTTPError(.badRequest, message: error.description)
            }
        }
    }

    /// Streams the request body (raw bytes, `?name=`) to the home server's upload API.
    private func upload(_ request: Request) async throws -> Response {
        _ = try await unlockedEngine()
        guard let length = request.headers[.contentLength].flatMap({ Int64($0) }), length >= 0 else {
            throw HTTPError(.lengthRequired, message: UploadError.lengthRequired.description)
        }
        guard length <= maxUploadBytes else {
            throw HTTPError(.contentTooLarge, message: UploadError.tooLarge(limit: maxUploadBytes).description)
        }
        let name = String((request.uri.queryParameters.get("name") ?? "file").prefix(255))
        do {
            let url = try await uploader.upload(name: name, size: length, body: request.body)
            _ = try await session.store.insertFileTransfer(name: name, size: length, url: url, at: Date())
            return JSONResponse.encode(API.Uploaded(file_url: url, name: name, size: length))
        } catch let error as UploadError {
            switch error {
            case .tooLarge: throw HTTPError(.contentTooLarge, message: error.description)
            case .lengthRequired, .bodyShorterThanDeclared: throw HTTPError(.badRequest, message: error.description)
            case .unreachable, .noEndpoint, .rejected, .badReply:
                throw HTTPError(.badGateway, message: error.description)
            }
        }
    }
}
