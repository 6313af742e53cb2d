import COpenSSL

/// Reads and clears OpenSSL's per-thread error queue, so one failure never leaks into the next call.
enum OpenSSLErrorQueue {
    /// The queued errors as one line (library reason strings only; they never contain key material), then cleared.
    static func drain() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if reasons.count < 4, let text = ERR_reason_error_string(code) {
                reasons.append(String(cString: text))
            }
        }
        return reasons.isEmpty ? "no detail" : reasons.joined(separator: "; ")
    }

    /// Clears the queue after an expected failure (bad signature, wrong passphrase…).
    static func clear() { ERR_clear_error() }

    /// Builds an `internalFailure` error from the queue.
    static func failure(_ operation: String) -> CryptoError {
        .internalFailure(operation: operation, detail: drain())
    }
}
