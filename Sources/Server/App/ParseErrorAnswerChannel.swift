import HummingbirdCore
import Logging
import NIOCore

/// Wraps the listener's HTTP/WebSocket child channel so that a first request HTTP parsing refuses is answered
/// with 400 at once (see `HTTPParseErrorAnswer`), and reports when the first request head was parsed (on the
/// event loop, so no task scheduling delay can make a prompt request miss the first-request deadline).
/// Everything else is the wrapped channel's.
struct ParseErrorAnswerChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let onFirstHead: @Sendable (any Channel) -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try HTTPParseErrorAnswer.install(on: channel, onFirstHead: onFirstHead)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async { await base.handle(value: value, logger: logger) }
}
