public import NIOWebSocket

/// Why and how we close a WebSocket: the code and reason our close frame carries.
public struct CloseRequest: Sendable, Equatable {
    public let code: WebSocketErrorCode
    public let reason: String

    /// A reason longer than a close frame can carry (123 bytes: RFC 6455 allows 125 payload bytes, two of them
    /// the code) is cut at a character boundary.
    public init(code: WebSocketErrorCode, reason: String) {
        self.code = code
        self.reason = Self.fittingCloseFrame(reason)
    }

    /// The close of a peer that stopped reading (its socket is dropped; no frame is sent).
    public static let tooSlow = CloseRequest(code: .policyViolation, reason: "too slow: not reading")

    /// The longest reason a close frame carries.
    public static let maxReasonBytes = 123

    static func fittingCloseFrame(_ reason: String) -> String {
        guard reason.utf8.count > maxReasonBytes else { return reason }
        var cut = ""
        for character in reason {
            if cut.utf8.count + character.utf8.count > maxReasonBytes { break }
            cut.append(character)
        }
        return cut
    }
}
