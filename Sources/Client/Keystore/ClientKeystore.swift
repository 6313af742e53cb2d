import Foundation
public import OlafCrypto

/// The user's RSA key as an encrypted PKCS#8 PEM (`identity-key.pem`, 0600, readable by `openssl pkey`) in the
/// data directory, plus its public half in `identity-public.pem` so the fingerprint can be shown while locked.
public struct ClientKeystore: Sendable {
    public static let keyFileName = "identity-key.pem"
    public static let publicFileName = "identity-public.pem"
    /// Shortest passphrase accepted when creating a key.
    public static let minimumPassphraseLength = 8

    public let directory: DataDirectory
    /// PBKDF2 iterations for new key files (tests may not go below the OlafCrypto minimum either).
    public let iterations: Int32

    public init(directory: DataDirectory, iterations: Int32 = RSAPrivateKey.minimumKeystoreIterations) {
        self.directory = directory
        self.iterations = iterations
    }

    public var keyFile: String { directory.file(Self.keyFileName) }
    public var publicFile: String { directory.file(Self.publicFileName) }

    /// Whether a key file exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: keyFile) }

    /// The public key without unlocking (from `identity-public.pem`), if present and valid.
    public func publicKey() -> RSAPublicKey? {
        guard let pem = try? PrivateFile.read(publicFile) else { return nil }
        return try? RSAPublicKey(pem: pem)
    }

    /// Creates a new key sealed with `passphrase`; refuses when one exists.
    public func create(passphrase: String) throws(ClientKeystoreError) -> RSAPrivateKey {
        guard passphrase.count >= Self.minimumPassphraseLength else {
            throw .passphraseTooShort(minimum: Self.minimumPassphraseLength)
        }
        guard !exists else { throw .keyAlreadyExists(keyFile: keyFile) }
        try directory.prepare()
        let key: RSAPrivateKey
        let sealed: String
        do {
            key = try RSAPrivateKey.generate()
            sealed = try key.encryptedPKCS8PEM(passphrase: passphrase, iterations: iterations)
        } catch {
            throw .cannotWrite(path: keyFile, reason: "\(error)")
        }
        try PrivateFile.save(sealed, to: keyFile)
        try PrivateFile.save(key.publicKey.canonicalPEM + "\n", to: publicFile)
        return key
    }

    /// Opens the key with `passphrase`.
    public func unlock(passphrase: String) throws(ClientKeystoreError) -> RSAPrivateKey {
        guard let pem = try PrivateFile.read(keyFile) else { throw .noKeyYet(dataDirectory: directory.path) }
        let key: RSAPrivateKey
        do {
            key = try RSAPrivateKey(encryptedPKCS8PEM: pem, passphrase: passphrase)
        } catch .wrongPassphrase {
            throw .wrongPassphrase(keyFile: keyFile)
        } catch {
            throw .damagedKeyFile(keyFile: keyFile, reason: error.description)
        }
        if publicKey() != key.publicKey {
            try PrivateFile.save(key.publicKey.canonicalPEM + "\n", to: publicFile)
        }
        return key
    }

    /// Unlocks the existing key, or creates one when there is none.
    public func unlockOrCreate(passphrase: String) throws(ClientKeystoreError) -> RSAPrivateKey {
        exists ? try unlock(passphrase: passphrase) : try create(passphrase: passphrase)
    }

    /// A passphrase file's content without its trailing newline.
    /// The file must be a regular file (not a symbolic link) of the user running olaf-client, with no access for
    /// group or others, like the keystore itself.
    public static func readPassphrase(file path: String) throws(ClientKeystoreError) -> String {
        try PrivateFile.verifySecret(path)
        guard let text = try PrivateFile.read(path) else {
            throw .passphraseUnreadable(path: path, reason: "no such file")
        }
        var passphrase = Substring(text)
        while let last = passphrase.last, last == "\n" || last == "\r" { passphrase.removeLast() }
        guard !passphrase.isEmpty else { throw .passphraseUnreadable(path: path, reason: "the file is empty") }
        return String(passphrase)
    }
}
