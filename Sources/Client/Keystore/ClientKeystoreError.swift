/// Why the user's data directory or key could not be used. Messages say what to do and never contain secrets.
public enum ClientKeystoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case dataDirectoryUnusable(path: String, reason: String)
    case dataDirectoryInUse(path: String)
    case passphraseUnreadable(path: String, reason: String)
    case passphraseTooShort(minimum: Int)
    case wrongPassphrase(keyFile: String)
    case damagedKeyFile(keyFile: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case noKeyYet(dataDirectory: String)
    case keyAlreadyExists(keyFile: String)

    public var description: String {
        switch self {
        case .dataDirectoryUnusable(let path, let reason):
            "data directory \(path) is unusable (\(reason)); create it or point --data-dir at a writable directory"
        case .dataDirectoryInUse(let path):
            "data directory \(path) is locked by another running olaf-client; stop it first or use another --data-dir"
        case .passphraseUnreadable(let path, let reason):
            "cannot read the passphrase from \(path) (\(reason)); check the path and its permissions"
        case .passphraseTooShort(let minimum):
            "the passphrase is too short: use at least \(minimum) characters"
        case .wrongPassphrase(let keyFile):
            "the passphrase does not open \(keyFile); type the passphrase the key was created with"
        case .damagedKeyFile(let keyFile, let reason):
            "the key file \(keyFile) is damaged (\(reason)); restore it from a backup"
        case .cannotWrite(let path, let reason):
            "cannot write \(path) (\(reason)); check that the data directory is writable by this user"
        case .noKeyYet(let directory):
            "there is no key in \(directory) yet; start olaf-client and create one in the browser, or pass --passphrase-file to create it now"
        case .keyAlreadyExists(let keyFile):
            "a key already exists in \(keyFile); unlock it instead of creating a new one"
        }
    }
}
