import Foundation
public import Logging
public import OlafCrypto

/// The server's RSA key, kept as an encrypted PKCS#8 PEM (`server-key.pem`, 0600) in the state directory and
/// created on first start. The passphrase comes, in this order, from the systemd credential
/// `keystore-passphrase` (`$CREDENTIALS_DIRECTORY`), from `--passphrase-file`, or (development only, with a
/// warning) from a generated `keystore-passphrase` file beside the state.
public enum ServerKeystore {
    public static let keyFileName = "server-key.pem"
    public static let developmentPassphraseFileName = "keystore-passphrase"
    public static let credentialName = "keystore-passphrase"

    /// Loads the key, creating key (and, in development, passphrase) on first use.
    public static func loadOrCreate(
        stateDirectory: String, passphraseFile: String?, environment: [String: String],
        logger: Logger
    ) throws(KeystoreError) -> RSAPrivateKey {
        try SecureFile.prepareDirectory(stateDirectory)
        let passphrase = try resolvePassphrase(
            stateDirectory: stateDirectory, passphraseFile: passphraseFile,
            environment: environment, logger: logger)
        let keyFile = (stateDirectory as NSString).appendingPathComponent(keyFileName)
        if let pem = try SecureFile.read(keyFile) {
            do {
                return try RSAPrivateKey(encryptedPKCS8PEM: pem, passphrase: passphrase)
            } catch .wrongPassphrase {
                throw .wrongPassphrase(keyFile: keyFile)
            } catch {
                throw .damagedKeyFile(keyFile: keyFile, reason: error.description)
            }
        }
        do {
            let key = try RSAPrivateKey.generate()
            try SecureFile.writePrivate(try key.encryptedPKCS8PEM(passphrase: passphrase), to: keyFile)
            logger.notice(
                "created a new server key",
                metadata: ["file": "\(keyFile)", "fingerprint": "\(key.publicKey.fingerprint)"])
            return key
        } catch let error as KeystoreError {
            throw error
        } catch {
            throw .cannotWrite(path: keyFile, reason: "\(error)")
        }
    }

    /// Why an unreadable `$CREDENTIALS_DIRECTORY` happens, for the operator.
    static let unreadableCredentialsReason =
        "the credentials directory is not readable by this user: systemd's credential mount did not reach the "
        + "service; `findmnt -o PROPAGATION /` must say shared, see /usr/share/doc/olafd/README.packaging"

    /// The passphrase from the first source that exists (see the type's documentation).
    static func resolvePassphrase(
        stateDirectory: String, passphraseFile: String?, environment: [String: String],
        logger: Logger
    ) throws(KeystoreError) -> String {
        if let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            // An unreadable credentials directory must not silently fall through to another passphrase source.
            // Seen when systemd's per-unit credentials mount never reached the service (a namespace whose root is
            // not a shared mount): the bare 0700 root directory under it is all the service sees.
            guard access(credentials, R_OK | X_OK) == 0 else {
                throw .passphraseUnreadable(path: credentials, reason: Self.unreadableCredentialsReason)
            }
            let path = (credentials as NSString).appendingPathComponent(credentialName)
            if let text = try SecureFile.read(path) { return try nonEmpty(text, path: path) }
        }
        if let passphraseFile {
            try StatePermissions.verify(secretFile: passphraseFile)
            guard let text = try SecureFile.read(passphraseFile) else {
                throw .passphraseUnreadable(path: passphraseFile, reason: "no such file")
            }
            return try nonEmpty(text, path: passphraseFile)
        }
        let path = (stateDirectory as NSString).appendingPathComponent(developmentPassphraseFileName)
        if let text = try SecureFile.read(path) { return try nonEmpty(text, path: path) }
        let generated: String
        do {
            generated = Base64.encode(try SecureRandom.bytes(32))
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
        try SecureFile.writePrivate(generated + "\n", to: path)
        logger.warning(
            "no keystore passphrase configured: generated one for development use; in production use the systemd credential keystore-passphrase or --passphrase-file",
            metadata: ["file": "\(path)"])
        return generated
    }

    /// A passphrase file's content without its trailing newline; refuses an empty one.
    private static func nonEmpty(_ text: String, path: String) throws(KeystoreError) -> String {
        var passphrase = Substring(text)
        while let last = passphrase.last, last == "\n" || last == "\r" { passphrase.removeLast() }
        guard !passphrase.isEmpty else { throw .emptyPassphrase(path: path) }
        return String(passphrase)
    }
}
