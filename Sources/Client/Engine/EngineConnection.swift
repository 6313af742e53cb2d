import Core
import Foundation
import NIOSSL
import Transport
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import OlafCrypto

/// The connection loop: dial the home server, say hello, ask for the client list, then pump frames both ways;
/// on any loss wait (exponential backoff with jitter) and dial again, until the task is cancelled.
extension ClientEngine {
    /// A connection that stayed up this long resets the backoff.
    static let stableConnection: Duration = .seconds(30)

    /// Runs until cancelled: `Redialer` waits between attempts (backoff with jitter, reset after a stable
    /// connection).
    public func run() async {
        var redialer = Redialer(
            backoff: Backoff(initial: configuration.initialBackoff, maximum: configuration.maximumBackoff),
            stableAfter: Self.stableConnection)
        var reason = ""
        await redialer.run(
            attempt: {
                setStatus(ConnectionStatus(state: .connecting, detail: "dialling \(configuration.home.webSocketURL)"))
                do {
                    let close = try await connectOnce()
                    reason =
                        close.map { "the server closed the connection (\(Self.describe($0)))" }
                        ?? "the server closed the connection"
                } catch is CancellationError {
                    return .stop
                } catch {
                    reason = "cannot reach \(configuration.home.webSocketURL): \(Self.describe(error))"
                }
                connectionEnded()
                return .redial
            },
            willWait: { wait in
                let retryAt = Date().addingTimeInterval(wait.inSeconds)
                logger.notice("home server connection lost; retrying", metadata: ["reason": "\(reason)", "in": "\(wait)"])
                setStatus(ConnectionStatus(state: .offline, detail: reason, retryAt: retryAt.timeIntervalSince1970))
            })
        connectionEnded()
        setStatus(ConnectionStatus(state: .offline, detail: "stopped"))
    }

    /// Dials the home server (TCP, TLS and the upgrade bounded by `handshakeTimeout`), then runs the connection
    /// until it ends; returns the server's close frame, if it sent one.
    private func connectOnce() async throws -> (code: WebSocketErrorCode?, reason: String)? {
        let configuration = self.configuration
        let maxFrame = configuration.limits.maxFrameBytes
        let home = configuration.home
        let tls = home.usesTLS ? (configuration.tls ?? TLSConfiguration.makeClientConfiguration()) : nil
        let inbox = try await WebSocketDialer.connect(
            to: WebSocketDialer.Target(host: home.host, port: Int(home.port), path: "/", tls: tls),
            group: MultiThreadedEventLoopGroup.singleton, maxFrameBytes: maxFrame,
            handshakeTimeout: TimeAmount(configuration.handshakeTimeout)
        ) { channel in
            let outbox = ChannelOutbox(byteCapacity: configuration.outboxBytes, eventLoop: channel.eventLoop)
            let inbox = WebSocketInbox(outbox: outbox, maxPendingBytes: configuration.inboxBytes)
            let peer = WebSocketPeerConfiguration(maxMessageBytes: maxFrame, masksFrames: true)
            return (inbox, outbox, peer)
        }
        try await run(inbox)
        return inbox.closeFromPeer
    }

    /// Runs one established connection: sends `hello` and the list request, then handles what the server sends
    /// (and refreshes the list) until the connection ends.
    private func run(_ inbox: WebSocketInbox) async throws {
        do {
            try await connectionOpened(inbox.outbox)
        } catch {
            inbox.outbox.close(code: .normalClosure, reason: "")
            throw error
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await bytes in inbox.messages {
                    inbox.consumed(bytes.readableBytes)
                    await self.handleInbound(String(buffer: bytes))
                }
            }
            // Ends only when cancelled (with the connection).
            group.addTask { await self.refreshListPeriodically() }
            _ = await group.next()
            group.cancelAll()
        }
        if Task.isCancelled { inbox.outbox.close(code: .goingAway, reason: "olaf-client stopping") }
    }

    /// Installs the outbox and sends `hello` then `client_list_request`.
    private func connectionOpened(_ outbox: ChannelOutbox) async throws {
        self.outbox = outbox
        logger.info("connected to the home server", metadata: ["server": "\(configuration.home)"])
        try await sendSigned(.hello(HelloData(publicKey: key.publicKey)))
        _ = outbox.send(OlafMessage.clientListRequest(ClientListRequest()).text)
    }

    private func connectionEnded() {
        outbox?.close(code: .normalClosure, reason: "")
        outbox = nil
        directory = OnlineDirectory()
        listRefreshedAt = nil
        resumeListWaiters()
        pending.removeAll()
        requestedListForPending = false
        events.publish(.online)
    }

    /// A short human description of a connection error.
    static func describe(_ error: any Error) -> String {
        var error = error
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            error = first.error
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        return "\(error)"
    }

    static func describe(_ close: (code: WebSocketErrorCode?, reason: String)) -> String {
        let code = close.code.map { String(UInt16(webSocketErrorCode: $0)) } ?? "no code"
        return close.reason.isEmpty ? code : "\(code): \(close.reason)"
    }
}
