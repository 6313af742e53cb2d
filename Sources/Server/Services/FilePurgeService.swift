import Foundation
import Logging
import ServiceLifecycle

/// Deletes uploaded files past their retention, every `interval` (expired files already answer 404 before).
struct FilePurgeService: Service {
    let files: FileStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let removed = try await files.purgeExpired(now: Date())
                if removed > 0 { logger.info("purged expired files", metadata: ["count": "\(removed)"]) }
            } catch {
                logger.error("could not purge expired files", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
