/// Why a cryptographic operation was refused. Messages say what was wrong and never contain key material.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a PEM block of the expected kind, or its body is not valid base64/DER.
    case invalidPEM(String)
    /// The key parsed but is not what OLAF allows (RSA-2048 with e = 65537).
    case unsupportedKey(String)
    /// The encrypted key file could not be opened with this passphrase.
    case wrongPassphrase
    /// The key file is damaged or in a format we do not read.
    case malformedKeyFile(String)
    /// RSA-OAEP decryption failed: not encrypted to this key, or corrupted.
    case decryptionFailed
    /// AES-GCM authentication failed: wrong key or IV, or the ciphertext or tag was altered.
    case authenticationFailed
    /// An input has the wrong size (e.g. an AES key that is not 16 bytes).
    case invalidLength(what: String, expected: String, actual: Int)
    /// The operating system's random source failed.
    case randomUnavailable
    /// OpenSSL failed where it should not have; `operation` names the step.
    case internalFailure(operation: String, detail: String)

    public var description: String {
        switch self {
        case .invalidPEM(let why): "invalid PEM: \(why)"
        case .unsupportedKey(let why): "unsupported key: \(why); OLAF requires RSA 2048-bit keys with exponent 65537"
        case .wrongPassphrase: "wrong passphrase for the encrypted key file (or the file is damaged)"
        case .malformedKeyFile(let why): "key file is damaged or not an encrypted PKCS#8 PEM: \(why)"
        case .decryptionFailed: "RSA-OAEP decryption failed: the data was not encrypted to this key or is corrupted"
        case .authenticationFailed: "AES-GCM authentication failed: wrong key or IV, or altered ciphertext"
        case .invalidLength(let what, let expected, let actual): "\(what) must be \(expected), got \(actual) bytes"
        case .randomUnavailable: "the system random number generator failed"
        case .internalFailure(let operation, let detail): "OpenSSL failed in \(operation): \(detail)"
        }
    }
}
