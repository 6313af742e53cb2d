import ServiceLifecycle

/// Runs the sessions of neighbours' links to us (`NeighbourInboundSession`) as child tasks of one task group:
/// an event loop starts one when a connection's first message is a `server_hello`. A session ends when its
/// connection does. As an application service it stops after the listener, whose shutdown closes every link.
final class InboundLinkSessions: Service {
    private let starts: AsyncStream<@Sendable () async -> Void>
    private let start: AsyncStream<@Sendable () async -> Void>.Continuation

    init() {
        (starts, start) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Starts `session` (any thread).
    func start(_ session: @escaping @Sendable () async -> Void) { start.yield(session) }

    func run() async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await session in starts { group.addTask { await session() } }
            } onGracefulShutdown: { [start] in
                start.finish()
            }
        }
    }
}
