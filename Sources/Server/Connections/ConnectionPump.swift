import Synchronization
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Runs one WebSocket connection: a writer draining the connection's `Outbox`, and a reader, side by side
/// until either ends (peer closed, we closed, a protocol error). Structured: both are child tasks of one group.
enum ConnectionPump {
    /// How long we wait for the peer's reply to our close frame before dropping the socket.
    static let closeGrace: Duration = .seconds(2)

    /// - Parameters:
    ///   - watchdogs: tasks that run beside the connection and never return on their own (they sleep until
    ///     cancelled); they close the outbox when something is overdue (e.g. no hello in time).
    ///   - reader: reads and handles inbound messages; returns when the peer's stream ends.
    static func run(
        outbox: Outbox, outbound: WebSocketOutboundWriter, watchdogs: [@Sendable () async throws -> Void] = [],
        reader: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await drain(outbox, into: outbound) }
            group.addTask { try await reader() }
            for watchdog in watchdogs { group.addTask { try await watchdog() } }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    /// Writes queued frames in order; after the outbox is closed, sends the requested close frame and waits a
    /// short grace period for the peer's answer (the reader ends the group when it arrives).
    private static func drain(_ outbox: Outbox, into outbound: WebSocketOutboundWriter) async throws {
        for await frame in outbox.frames {
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
        }
        guard let request = outbox.requestedClose else { return }
        try? await outbound.close(request.code, reason: request.reason)
        try await Task.sleep(for: closeGrace)
    }
}

/// A flag set once, readable from any task.
final class OnceFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

extension Duration {
    /// Long enough to mean "until cancelled" for watchdog sleeps.
    static let forever: Duration = .seconds(365 * 24 * 3600)
}
