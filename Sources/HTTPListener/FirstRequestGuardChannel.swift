public import HummingbirdCore
public import Logging
public import NIOCore

/// Wraps a listener's HTTP/WebSocket child channel with a `FirstRequestGuard`: a first request HTTP parsing
/// refuses is answered with 400 at once; a connection whose first request head is not complete within
/// `deadline` is closed; one that has sent no request yet is closed on graceful shutdown. Everything else is the
/// wrapped channel's. Used by olafd's listener and olaf-client's UI.
public struct FirstRequestGuardChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    let base: Base
    let deadline: TimeAmount?
    let onFirstHead: @Sendable (any Channel) -> Void
    let onDeadline: @Sendable () -> Void

    /// - Parameters:
    ///   - deadline: how long a connection has for its first complete request head (nil: no deadline).
    ///   - onFirstHead: called on the event loop once the first request head was parsed.
    ///   - onDeadline: called on the event loop when a connection is closed for missing the deadline.
    public init(
        base: Base, deadline: TimeAmount?, onFirstHead: @escaping @Sendable (any Channel) -> Void = { _ in },
        onDeadline: @escaping @Sendable () -> Void = {}
    ) {
        self.base = base
        self.deadline = deadline
        self.onFirstHead = onFirstHead
        self.onDeadline = onDeadline
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try FirstRequestGuard.install(
                on: channel, deadline: deadline, onFirstHead: onFirstHead, onDeadline: onDeadline)
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async { await base.handle(value: value, logger: logger) }
}
