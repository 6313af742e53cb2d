import ArgumentParser
import Client
import Foundation
import OlafCrypto

/// `olaf-client key show`: the user's public key and fingerprint (to give to people).
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Your identity key.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print your public key (canonical PEM) and fingerprint. Creates the key with --passphrase-file "
                + "when there is none yet.")

        @OptionGroup var data: DataOptions

        @Flag(help: "Print only the fingerprint.")
        var fingerprint = false

        func run() async throws {
            let keystore = ClientKeystore(directory: data.directory)
            do {
                let publicKey: String
                let fingerprintText: String
                if let passphraseFile = data.passphraseFile {
                    try data.directory.prepare()
                    let passphrase = try ClientKeystore.readPassphrase(file: passphraseFile)
                    let key = try keystore.unlockOrCreate(passphrase: passphrase)
                    (publicKey, fingerprintText) = (key.publicKey.canonicalPEM, key.publicKey.fingerprint)
                } else if let key = keystore.publicKey() {
                    (publicKey, fingerprintText) = (key.canonicalPEM, key.fingerprint)
                } else if keystore.exists {
                    throw fail("the keystore is locked and its public half is missing; pass --passphrase-file")
                } else {
                    throw ClientKeystoreError.noKeyYet(dataDirectory: data.directory.path)
                }
                print(fingerprint ? fingerprintText : "\(publicKey)\nfingerprint: \(fingerprintText)")
            } catch let error as ExitCode {
                throw error
            } catch {
                throw fail("\(error)")
            }
        }
    }
}
