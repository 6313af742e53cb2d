import Foundation
import Glibc
public import Logging

/// Where olafd's logs go: the systemd journal (structured) when systemd connected our stderr to it, plain stderr
/// lines otherwise.
public enum LogDestination: Sendable, Equatable {
    /// Structured entries through ``JournaldLogHandler``.
    case journald
    /// Plain lines through swift-log's `StreamLogHandler.standardError`.
    case stderr

    /// Detects the destination for this process's environment.
    public static func detect() -> LogDestination {
        detect(environment: ProcessInfo.processInfo.environment)
    }

    /// `.journald` when `JOURNAL_STREAM` (`"<st_dev>:<st_ino>"`) names the file our stderr is (checked with
    /// `fstat(2)`, so a variable inherited by a process whose stderr was redirected is ignored); `.stderr` otherwise.
    public static func detect(environment: [String: String]) -> LogDestination {
        detect(environment: environment, standardError: STDERR_FILENO)
    }

    /// `detect(environment:)` against descriptor `standardError`.
    static func detect(environment: [String: String], standardError: Int32) -> LogDestination {
        isJournalStream(descriptor: standardError, environment: environment) ? .journald : .stderr
    }

    /// Whether open descriptor `descriptor` (stdout, say) is the journal stream `JOURNAL_STREAM` names: what is
    /// written there ends up in the journal, which others (the adm group, root) may read.
    public static func isJournalStream(descriptor: Int32, environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"],
            let expected = FileIdentity(journalStream: value),
            let actual = FileIdentity(fileDescriptor: descriptor)
        else { return false }
        return expected == actual
    }

    /// A log handler for this process's destination, at `level`; suitable for `LoggingSystem.bootstrap`.
    public static func bootstrapHandler(
        label: String, identifier: String = "olafd", level: Logger.Level
    ) -> any LogHandler {
        bootstrapHandler(
            label: label, identifier: identifier, level: level, environment: ProcessInfo.processInfo.environment)
    }

    /// A log handler for `environment`'s destination, at `level`.
    public static func bootstrapHandler(
        label: String, identifier: String = "olafd", level: Logger.Level, environment: [String: String]
    ) -> any LogHandler {
        switch detect(environment: environment) {
        case .journald:
            var handler = JournaldLogHandler(label: label, identifier: identifier)
            handler.logLevel = level
            return handler
        case .stderr:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
