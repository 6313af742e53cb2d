import Core
import Foundation
import HummingbirdWSClient
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

    private func connectOnce() async throws -> WebSocketCloseFrame? {
        let (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(4096))
        let maxFrame = configuration.limits.maxFrameBytes
        let logger = self.logger
        let (url, tls) = (configuration.home.webSocketURL, configuration.tls)
        // Bounded: a home server that accepts TCP and never answers the upgrade must not leave us "connecting"
        // forever; the attempt is abandoned and the usual backoff and redial follow.
        return try await withHandshakeDeadline(configuration.handshakeTimeout) { opened in
            try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: maxFrame), tlsConfiguration: tls, logger: logger
            ) { inbound, outbound, _ in
                opened()
                try await self.pump(inbound: inbound, outbound: outbound, frames: frames, continuation: continuation)
            }
        }
    }

    /// Runs one established connection: sends `hello` and the list request, then pumps frames both ways.
    private nonisolated func pump(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, frames: AsyncStream<String>,
        continuation: AsyncStream<String>.Continuation
    ) async throws {
        let maxFrame = configuration.limits.maxFrameBytes
        try await connectionOpened(continuation)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.write(.text(frame)) }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: maxFrame) {
                    if case .text(let text) = message { await self.handleInbound(text) }
                }
            }
            // Ends only when cancelled (with the connection): a child that returns would end the connection.
            group.addTask { await self.refreshListPeriodically() }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    /// Installs the outbound queue and sends `hello` then `client_list_request`.
    private func connectionOpened(_ continuation: AsyncStream<String>.Continuation) async throws {
        outbox = continuation
        logger.info("connected to the home server", metadata: ["server": "\(configuration.home)"])
        do {
            try await sendSigned(.hello(HelloData(publicKey: key.publicKey)))
        } catch {
            throw error
        }
        continuation.yield(Frame.clientListRequest(ClientListRequest()).text)
    }

    private func connectionEnded() {
        outbox?.finish()
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

    static func describe(_ close: WebSocketCloseFrame) -> String {
        let code = UInt16(webSocketErrorCode: close.closeCode)
        if let reason = close.reason, !reason.isEmpty { return "\(code): \(reason)" }
        return "\(code)"
    }
}
