import HummingbirdCore
import Logging
import NIOCore

/// Wraps the listener's child channel (plain or TLS) to count connections per address: registered when the
/// socket is accepted, released when it closes (the channel's close future, which fires on every path), so
/// the count cannot leak. A connection over the limit is served only to be refused (see `AbuseGuard`); one
/// far over it is closed before any byte is read. Every accepted socket also gets `TCPKeepalive`.
struct ConnectionLimitChannel<Base: ServerChildChannel>: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let base: Base.Value
        let dropped: Bool
        var channel: any Channel { base.channel }
    }

    let base: Base
    let abuse: AbuseGuard

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        TCPKeepalive.enable(on: channel)
        let address = channel.remoteAddress
        let identifier = ObjectIdentifier(channel)
        let admission = abuse.connectionOpened(from: address, channel: identifier)
        let abuse = self.abuse
        channel.closeFuture.whenComplete { _ in
            abuse.connectionClosed(from: address, channel: identifier, admission: admission)
        }
        return base.setup(channel: channel, logger: logger).map { Value(base: $0, dropped: admission == .dropped) }
    }

    func handle(value: Value, logger: Logger) async {
        if value.dropped {
            try? await value.channel.close()
            return
        }
        await base.handle(value: value.base, logger: logger)
    }
}
