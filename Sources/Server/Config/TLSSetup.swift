import NIOSSL

/// Optional TLS on the listener, so clients and neighbours can use `wss://` and `https://`.
enum TLSSetup {
    /// Why the certificate or key could not be used.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The TLS configuration of the listener when the configuration names both a certificate chain and a key;
    /// nil for plain `ws://` and `http://`.
    static func tlsConfiguration(for configuration: ServerConfiguration) throws -> TLSConfiguration? {
        switch (configuration.tlsCertificatePath, configuration.tlsKeyPath) {
        case (nil, nil):
            return nil
        case (let certificatePath?, let keyPath?):
            let chain: [NIOSSLCertificate]
            let key: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            } catch {
                throw Failure(description: "cannot read TLS certificate chain \(certificatePath): \(error)")
            }
            do {
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            } catch {
                throw Failure(description: "cannot read TLS private key \(keyPath): \(error)")
            }
            guard !chain.isEmpty else { throw Failure(description: "no certificate in \(certificatePath)") }
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return tls
        default:
            throw Failure(description: "TLS needs both tls.certificate_file and tls.key_file")
        }
    }
}
