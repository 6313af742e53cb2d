import Foundation
import HummingbirdWebSocket

/// The live-update socket: one JSON object per text message (`message`, `connection`, `online`,
/// `list_refreshed`, `dropped`).
/// Inbound messages are ignored; the socket ends when the browser closes it.
enum UIEvents {
    static func stream(
        _ events: AsyncStream<ClientEvent>, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws {
        try await outbound.write(.text(encode(API.Event(type: "hello"))))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { try await outbound.write(.text(encode(Self.event(event)))) }
            }
            group.addTask {
                for try await _ in inbound.messages(maxSize: 4096) {}
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    static func event(_ event: ClientEvent) -> API.Event {
        switch event {
        case .message(let record): API.Event(type: "message", message: record)
        case .connection(let status): API.Event(type: "connection", connection: status)
        case .online: API.Event(type: "online")
        case .listRefreshed(let date): API.Event(type: "list_refreshed", refreshedAt: date.timeIntervalSince1970)
        case .dropped(let reason): API.Event(type: "dropped", reason: reason.rawValue)
        }
    }

    static func encode(_ event: API.Event) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"type\":\"error\"}"
    }
}
