import Core
import Foundation
import Hummingbird
import Logging
import NIOCore
import OlafCrypto

/// The control API (HTTP/JSON on the Unix control socket, versioned under `/v1`), used by `olafctl`:
/// status, neighbours (list, add, remove, reset-counter), clients, files (list, remove), key, reload, metrics.
/// Changes apply live and persist.
struct ControlAPI: Sendable {
    let server: OlafServer
    let startedAt: Date
    let reload: @Sendable () async throws -> String

    func register(on router: Router<ControlRequestContext>) {
        let v1 = router.group("v1")
        v1.get("status") { _, _ in try await status() }
        v1.get("neighbours") { _, _ in try await neighbours() }
        v1.post("neighbours") { request, context in try await addNeighbour(request, context: context) }
        v1.delete("neighbours/:address") { _, context in try await removeNeighbour(context) }
        v1.post("neighbours/:address/reset-counter") { _, context in try await resetCounter(context) }
        v1.get("clients") { _, _ in await clients() }
        v1.get("files") { _, _ in try await files() }
        v1.delete("files/:id") { _, context in try await removeFile(context) }
        v1.get("key") { _, _ in key() }
        v1.post("reload") { _, _ in
            do {
                return ControlResponse.json(.object(["reloaded": .bool(true), "summary": .string(try await reload())]))
            } catch {
                return ControlResponse.error(.badRequest, "reload failed, previous settings kept: \(error)")
            }
        }
        router.get("metrics") { _, _ in
            ControlResponse.text(
                try await MetricsRenderer(server: server).render(),
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    func status() async throws -> Response {
        let hub = server.hub
        let stored = try await server.store.neighbours()
        var states: [ServerStatus.NeighbourState] = []
        for neighbour in stored {
            let state = await linkState(neighbour.address)
            states.append(
                .init(
                    address: neighbour.configured ?? neighbour.address, connected: state.outbound,
                    authenticated: state.outboundAuthenticated, inboundLinks: state.inbound,
                    lastSeen: neighbour.lastSeen))
        }
        let files = try await server.store.files()
        let configuration = server.configuration
        let status = ServerStatus(
            version: OlafVersion.current, uptimeSeconds: Date().timeIntervalSince(startedAt),
            listen: "\(configuration.listenHost):\(configuration.listenPort)",
            publicAddress: hub.ownAddress.spelling, fingerprint: server.identity.key.publicKey.fingerprint,
            clients: await hub.localClientCount, neighbours: states, fileCount: files.count,
            fileBytes: files.reduce(0) { $0 + $1.size }, counts: server.statistics.snapshot,
            refusals: server.abuse.refusals.snapshot, contestedClients: await hub.contestedClientCount)
        return ControlResponse.json(status.json)
    }

    func neighbours() async throws -> Response {
        var entries: [JSONValue] = []
        for neighbour in try await server.store.neighbours() {
            let state = await linkState(neighbour.address)
            entries.append(
                .object([
                    "address": .string(neighbour.configured ?? neighbour.address),
                    "url": neighbour.url.map { .string($0) } ?? .null,
                    "state": .string(state.outbound ? "connected" : "disconnected"),
                    "authenticated_links": .integer(state.links),
                    "fingerprint": .string(
                        (try? RSAPublicKey(pem: neighbour.publicKeyPEM).fingerprint) ?? "invalid key"),
                    "added": .string(ISO8601DateFormatter().string(from: neighbour.addedAt)),
                    "last_seen": neighbour.lastSeen.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null,
                ]))
        }
        return ControlResponse.json(.array(entries))
    }

    func addNeighbour(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: ControlRequests.maxBodyBytes)
        let parsed: ControlRequests.NeighbourAdd
        do {
            parsed = try ControlRequests.neighbourAdd(body: Array(buffer: body))
        } catch {
            return ControlResponse.error(.badRequest, error.description)
        }
        let address = parsed.address, key = parsed.publicKey
        guard address != server.hub.ownAddress else {
            return ControlResponse.error(.badRequest, "\(address) is this server's own public address")
        }
        let neighbour = Neighbour(address: address, publicKey: key, url: parsed.url, caFile: parsed.caFile)
        if let previous = await server.hub.neighbour(at: address), previous.publicKey != key {
            // Re-keyed: what was proved under the old key (counter, signatures) says nothing about the new one.
            try await forgetHelloHistory(of: previous)
        }
        try await server.store.upsertNeighbour(neighbour, at: Date())
        await server.hub.setNeighbour(neighbour)
        server.linkService.dial(address)
        context.logger.notice(
            "neighbour added", metadata: ["neighbour": "\(address)", "fingerprint": "\(key.fingerprint)"])
        return ControlResponse.json(
            .object(["address": .string(address.canonical), "fingerprint": .string(key.fingerprint)]),
            status: .created)
    }

    func removeNeighbour(_ context: ControlRequestContext) async throws -> Response {
        guard let address = neighbourAddress(context) else { return ControlResponse.error(.badRequest, "bad address") }
        guard try await server.store.removeNeighbour(address: address.canonical) else {
            return ControlResponse.error(.notFound, "unknown neighbour \(address); see olafctl neighbours list")
        }
        if let neighbour = await server.hub.neighbour(at: address) { try await forgetHelloHistory(of: neighbour) }
        await server.hub.removeNeighbour(at: address)
        context.logger.notice("neighbour removed", metadata: ["neighbour": "\(address)"])
        return ControlResponse.json(.object(["removed": .string(address.canonical)]))
    }

    func resetCounter(_ context: ControlRequestContext) async throws -> Response {
        guard let address = neighbourAddress(context) else { return ControlResponse.error(.badRequest, "bad address") }
        guard let neighbour = await server.hub.neighbour(at: address) else {
            return ControlResponse.error(.notFound, "unknown neighbour \(address); see olafctl neighbours list")
        }
        try await forgetHelloHistory(of: neighbour)
        context.logger.notice("neighbour counter reset", metadata: ["neighbour": "\(address)"])
        return ControlResponse.json(.object(["reset": .string(address.canonical)]))
    }

    func clients() async -> Response {
        let keys = await server.hub.localClientKeys
        return ControlResponse.json(.array(keys.map { .object(["fingerprint": .string($0.fingerprint)]) }))
    }

    func files() async throws -> Response {
        let formatter = ISO8601DateFormatter()
        return ControlResponse.json(
            .array(
                try await server.store.files().map { file in
                    .object([
                        "id": .string(file.id), "name": .string(file.name), "size": .number(String(file.size)),
                        "sha256": .string(file.sha256), "uploaded": .string(formatter.string(from: file.uploadedAt)),
                        "expires": file.expiresAt.map { .string(formatter.string(from: $0)) } ?? .null,
                    ])
                }))
    }

    func removeFile(_ context: ControlRequestContext) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        guard let id = ControlRequests.fileID(pathParameter: raw), try await server.files.remove(id: id) else {
            return ControlResponse.error(.notFound, "no file with id \(raw.prefix(40)); see olafctl files list")
        }
        return ControlResponse.json(.object(["removed": .string(id)]))
    }

    func key() -> Response {
        let key = server.identity.key.publicKey
        return ControlResponse.json(
            .object(["public_key": .string(key.canonicalPEM), "fingerprint": .string(key.fingerprint)]))
    }

    private func linkState(_ stored: String) async -> NeighbourLinkState {
        guard let address = try? ServerAddress(parsing: stored) else {
            return NeighbourLinkState(outbound: false, outboundAuthenticated: false, links: 0)
        }
        return await server.hub.linkState(of: address)
    }

    /// Forgets the neighbour's last `server_hello` counter and the signatures it was seen with.
    private func forgetHelloHistory(of neighbour: Neighbour) async throws {
        await server.hub.forgetCounter(of: neighbour.counterKey)
        try await server.store.deleteCounter(sender: neighbour.counterKey)
        try await server.store.forgetServerHelloSignatures(neighbour: neighbour.address.canonical)
    }

    private func neighbourAddress(_ context: ControlRequestContext) -> ServerAddress? {
        guard let raw = context.parameters.get("address") else { return nil }
        return ControlRequests.neighbourAddress(pathParameter: raw)
    }
}

/// The version olafd reports.
public enum OlafVersion {
    public static let current = "0.3.0"
}
