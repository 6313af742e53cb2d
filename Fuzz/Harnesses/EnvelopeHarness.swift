import Core
import OlafCrypto

/// The envelope verifier: decode, then `isSigned(by:)` and `verifySignature(with:)` under a fixed key.
///
/// Invariants: the two checks agree; the envelope survives `frameObject` → compact text → decode unchanged and
/// still verifies the same way (the signature covers the data string exactly as received).
enum EnvelopeHarness {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard case .signed(let envelope)? = try? OlafMessageDecoder.decode(input) else { return }
        let key = FuzzKeys.recipient.publicKey
        let signed = envelope.isSigned(by: key)
        let verified = (try? envelope.verifySignature(with: key)) != nil
        guard signed == verified else {
            throw FuzzFinding(.envelope, "isSigned(by:) says \(signed) but verifySignature says \(verified)")
        }
        if signed, case .publicChat(let chat) = envelope.payload {
            _ = try? chat.checkSender(against: SenderFingerprints(of: key))
        }
        let text = JSONWriter.compact(.object(envelope.frameObject))
        guard case .signed(let again)? = try? OlafMessageDecoder.decode(Array(text.utf8)) else {
            throw FuzzFinding(.envelope, "the frame object of a decoded envelope does not decode")
        }
        guard again == envelope else { throw FuzzFinding(.envelope, "envelope → frame text → envelope changed it") }
        guard again.isSigned(by: key) == signed else {
            throw FuzzFinding(.envelope, "re-encoding changed whether the signature verifies")
        }
    }
}
