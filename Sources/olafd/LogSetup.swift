import Logging
import Synchronization
import Systemd

/// olafd's logging: structured journald entries when started by systemd with stderr on the journal
/// (`JOURNAL_STREAM` matches), plain stderr lines otherwise, with a level that `reload` can change.
enum LogSetup {
    /// The level every olafd logger uses now.
    final class Level: Sendable {
        private let raw = Atomic<Int>(0)
        init(_ level: Logger.Level) { set(level) }
        func set(_ level: Logger.Level) {
            raw.store(Logger.Level.allCases.firstIndex(of: level) ?? 2, ordering: .relaxed)
        }
        var current: Logger.Level { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
    }

    /// Installs the handler once per process; returns the level control.
    static func bootstrap(level: Logger.Level) -> Level {
        let control = Level(level)
        LoggingSystem.bootstrap { label in
            DynamicLevelHandler(
                base: LogDestination.bootstrapHandler(label: label, identifier: "olafd", level: .trace),
                level: control)
        }
        return control
    }
}

/// Forwards to `base`, with the level read from a shared control at every call.
struct DynamicLevelHandler: LogHandler {
    var base: any LogHandler
    let level: LogSetup.Level

    var logLevel: Logger.Level {
        get { level.current }
        set { level.set(newValue) }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) { base.log(event: event) }
}
