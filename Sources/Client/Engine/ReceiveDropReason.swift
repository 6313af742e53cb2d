/// Why the engine did not show a received frame. Counted per reason and shown in the UI.
public enum ReceiveDropReason: String, Sendable, Codable, CaseIterable {
    /// Not valid protocol JSON (object `data` is read through its Python re-serialisation, interop rule 14).
    case malformed
    /// A valid message that a client never receives (hello, server_hello, client_update…).
    case unexpected
    /// The sender's key is not in any client list we have seen.
    case unknownSender = "unknown_sender"
    /// The signature does not verify under the sender's key.
    case badSignature = "bad_signature"
    /// `public_chat.sender` or `participants[0]` is not the signer.
    case senderMismatch = "sender_mismatch"
    /// The counter is not greater than the last one accepted from that sender (a replay).
    case replayed
    /// A chat for other recipients (normal: servers deliver chats to every local client).
    case notForUs = "not_for_us"
    /// A frame signed by our own key coming back.
    case ownEcho = "own_echo"
    /// A chat not opened because opening chats had used up its budget of private-key operations (a flood of
    /// many-key chats; `ChatOpeningBudget`).
    case overBudget = "over_budget"
}
