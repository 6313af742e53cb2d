import Logging

extension Logger {
    /// A copy of this logger with `metadata` added to every message.
    func adding(_ metadata: Logger.Metadata) -> Logger {
        var logger = self
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }
}
