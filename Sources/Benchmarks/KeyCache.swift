import Dispatch
import Foundation
public import OlafCrypto
import Synchronization

/// RSA-2048 client keys for benchmarks, generated once and kept on disk as unencrypted PKCS#8 PEM files
/// (`key-00000.pem`, …, mode 0600) so that later runs start in seconds.
public struct KeyCache: Sendable {
    /// The directory holding the key files.
    public let directory: String

    /// `~/.cache/olaf-bench/keys` unless `directory` is given.
    public init(directory: String? = nil) {
        self.directory =
            directory ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/olaf-bench/keys")
    }

    private func path(_ index: Int) -> String {
        (directory as NSString).appendingPathComponent(String(format: "key-%05d.pem", index))
    }

    /// Loads keys 0..<count, generating the missing ones in parallel on every core first; prints how long
    /// generation took when it had to generate any.
    public func keys(count: Int) throws -> [RSAPrivateKey] {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let missing = (0..<count).filter { !FileManager.default.fileExists(atPath: path($0)) }
        if !missing.isEmpty {
            let start = ContinuousClock.now
            let failure = Mutex<String?>(nil)
            DispatchQueue.concurrentPerform(iterations: missing.count) { position in
                let index = missing[position]
                do {
                    let pem = try RSAPrivateKey.generate().pkcs8PEM()
                    let temporary = path(index) + ".tmp-\(getpid())"
                    guard
                        FileManager.default.createFile(
                            atPath: temporary, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600])
                    else { throw KeyCacheError.cannotWrite(temporary) }
                    _ = rename(temporary, path(index))
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }
            if let message = failure.withLock({ $0 }) { throw KeyCacheError.generationFailed(message) }
            let elapsed = ContinuousClock.now - start
            print("generated \(missing.count) RSA-2048 keys into \(directory) in \(elapsed.secondsText) s (once)")
        }
        var keys = [RSAPrivateKey?](repeating: nil, count: count)
        let loaded = Mutex(keys)
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            do {
                let key = try RSAPrivateKey(pkcs8PEM: String(contentsOfFile: path(index), encoding: .utf8))
                loaded.withLock { $0[index] = key }
            } catch {
                failure.withLock { $0 = "\(path(index)): \(error)" }
            }
        }
        if let message = failure.withLock({ $0 }) { throw KeyCacheError.unreadable(message) }
        keys = loaded.withLock { $0 }
        return keys.map { $0! }
    }
}

/// Why the key cache could not provide keys.
public enum KeyCacheError: Error, CustomStringConvertible {
    case cannotWrite(String)
    case generationFailed(String)
    case unreadable(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path): "cannot write key file \(path) (check the permissions of the cache directory)"
        case .generationFailed(let reason): "key generation failed: \(reason)"
        case .unreadable(let reason): "cached key unreadable (delete it to regenerate): \(reason)"
        }
    }
}

extension Duration {
    /// Seconds as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// Seconds with two decimals.
    var secondsText: String { String(format: "%.2f", seconds) }
}
