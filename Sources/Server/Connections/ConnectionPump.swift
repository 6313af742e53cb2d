import Synchronization
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Transport

/// Runs our dialled neighbour link: its reader, and a writer for its `WriterTaskOutbox`, side by side
/// until either ends (peer closed, we closed, a protocol error). Structured: one task group per connection.
enum ConnectionPump {
    /// How long we wait for the peer's reply to our close frame before dropping the socket.
    static let closeGrace: Duration = .seconds(2)

    /// For an outbox drained by a writer task (our dialled neighbour link): writer, reader and watchdogs are
    /// child tasks.
    /// - Parameters:
    ///   - watchdogs: tasks that run beside the connection and never return on their own (they sleep until
    ///     cancelled); they close the outbox when something is overdue (e.g. no hello in time).
    ///   - reader: reads and handles inbound messages; returns when the peer's stream ends.
    static func run(
        outbox: WriterTaskOutbox, outbound: WebSocketOutboundWriter, watchdogs: [@Sendable () async throws -> Void] = [],
        reader: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Part.self) { group in
            group.addTask {
                try await drain(outbox, into: outbound)
                return .writer
            }
            group.addTask {
                try await reader()
                return .reader
            }
            for watchdog in watchdogs {
                group.addTask {
                    try await watchdog()
                    return .other
                }
            }
            defer { group.cancelAll() }
            switch try await group.next() {
            case .writer?:
                // Our close frame is out: give the peer a short while to answer it (the reader then ends).
                try await awaitFirst(of: [.reader], in: &group)
            case .reader? where outbox.requestedClose != nil:
                // We asked to close (e.g. refused a message) and the reader is done: still send the close frame.
                try await awaitFirst(of: [.writer], in: &group)
            default:
                break
            }
        }
    }

    /// The connection's child tasks.
    private enum Part: Sendable { case writer, reader, other }

    /// Waits until one of `parts` ends, or `closeGrace` has passed.
    private static func awaitFirst(of parts: Set<Part>, in group: inout ThrowingTaskGroup<Part, any Error>)
        async throws
    {
        group.addTask {
            try await Task.sleep(for: closeGrace)
            return .other
        }
        while let part = try await group.next() {
            if parts.contains(part) || part == .other { return }
        }
    }

    /// Writes queued frames in order (a writer task only for outboxes that do not drain on their channel); after
    /// the outbox is closed, sends the requested close frame. Ends without one when cancelled before a close.
    private static func drain(_ outbox: WriterTaskOutbox, into outbound: WebSocketOutboundWriter) async throws {
        while let batch = await outbox.nextBatch() {
            for frame in batch {
                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
            }
        }
        guard let request = outbox.requestedClose else { return }
        try? await outbound.close(request.code, reason: request.reason)
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
