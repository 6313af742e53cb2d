public import NIOCore
public import NIOWebSocket
import Synchronization
public import Transport

/// An outbox without a connection, for tests of the hub: records what is queued, closes and kills.
public final class RecordingOutbox: PeerOutbox {
    private struct State {
        var frames: [ByteBuffer] = []
        var close: CloseRequest?
        var kills = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func send(_ frame: ByteBuffer) -> OutboxSendResult {
        state.withLock { state in
            guard state.close == nil else { return .closed }
            state.frames.append(frame)
            return .queued
        }
    }

    public func close(code: WebSocketErrorCode, reason: String) {
        state.withLock { state in
            if state.close == nil { state.close = CloseRequest(code: code, reason: reason) }
        }
    }

    public func kill() {
        state.withLock { state in
            state.kills += 1
            if state.close == nil { state.close = .tooSlow }
        }
    }

    public var unsentBytes: Int { state.withLock { $0.frames.reduce(0) { $0 + $1.readableBytes } } }

    public var requestedClose: CloseRequest? { state.withLock { $0.close } }

    /// How often `kill()` was called.
    public var kills: Int { state.withLock { $0.kills } }

    /// The frames queued since the last call, as text.
    public func takeFrames() -> [String] {
        state.withLock { state in
            defer { state.frames = [] }
            return state.frames.map { String(buffer: $0) }
        }
    }
}
