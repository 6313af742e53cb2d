/// Why the server key could not be loaded or created. Messages say what the operator should do.
public enum KeystoreError: Error, Sendable, CustomStringConvertible {
    case stateDirectoryUnusable(path: String, reason: String)
    case passphraseUnreadable(path: String, reason: String)
    case emptyPassphrase(path: String)
    case wrongPassphrase(keyFile: String)
    case damagedKeyFile(keyFile: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// The state directory or a file in it could be changed (or read) by someone else; `fix` says what to do.
    case unsafeState(path: String, problem: String, fix: String)

    public var description: String {
        switch self {
        case .stateDirectoryUnusable(let path, let reason):
            "state directory \(path) is unusable (\(reason)); create it or point --state-dir at a writable directory"
        case .passphraseUnreadable(let path, let reason):
            "cannot read the keystore passphrase from \(path) (\(reason)); check the path and its permissions"
        case .emptyPassphrase(let path):
            "the keystore passphrase in \(path) is empty; write a passphrase into it"
        case .wrongPassphrase(let keyFile):
            "the passphrase does not open \(keyFile); supply the passphrase it was created with (or move the file away to create a new key, which neighbours must then be told about)"
        case .damagedKeyFile(let keyFile, let reason):
            "the server key file \(keyFile) is damaged (\(reason)); restore it from a backup"
        case .cannotWrite(let path, let reason):
            "cannot write \(path) (\(reason)); check that the state directory is writable by this user"
        case .unsafeState(let path, let problem, let fix):
            "unsafe state: \(path) \(problem); fix it with: \(fix)"
        }
    }
}
