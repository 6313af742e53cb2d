import Glibc
import Logging
import Systemd
import Testing

@Suite("LogDestination")
struct LogDestinationTests {
    /// `"<st_dev>:<st_ino>"` of this process's stderr, computed here with fstat(2).
    private func stderrIdentity() throws -> (device: UInt64, inode: UInt64) {
        var status = stat()
        try #require(fstat(STDERR_FILENO, &status) == 0)
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    @Test("no JOURNAL_STREAM → stderr")
    func unset() {
        #expect(LogDestination.detect(environment: [:]) == .stderr)
        #expect(LogDestination.detect(environment: ["JOURNAL_STREAM": ""]) == .stderr)
    }

    @Test("JOURNAL_STREAM matching stderr → journald")
    func matching() throws {
        let identity = try stderrIdentity()
        let environment = ["JOURNAL_STREAM": "\(identity.device):\(identity.inode)"]
        #expect(LogDestination.detect(environment: environment) == .journald)
        #expect(
            LogDestination.bootstrapHandler(label: "t", level: .debug, environment: environment) is JournaldLogHandler)
    }

    @Test("isJournalStream: true only for the descriptor JOURNAL_STREAM names")
    func journalStreamDescriptor() throws {
        let identity = try stderrIdentity()
        let environment = ["JOURNAL_STREAM": "\(identity.device):\(identity.inode)"]
        #expect(LogDestination.isJournalStream(descriptor: STDERR_FILENO, environment: environment))
        #expect(!LogDestination.isJournalStream(descriptor: STDERR_FILENO, environment: [:]))
        let other = try #require(tmpfile())  // a fresh file, never the journal stream
        defer { fclose(other) }
        #expect(!LogDestination.isJournalStream(descriptor: fileno(other), environment: environment))
        #expect(!LogDestination.isJournalStream(descriptor: -1, environment: environment))
    }

    @Test("JOURNAL_STREAM naming another file or garbage → stderr")
    func mismatching() throws {
        let identity = try stderrIdentity()
        for value in [
            "\(identity.device):\(identity.inode &+ 1)", "\(identity.device &+ 1):\(identity.inode)",
            "\(identity.device)", "\(identity.device):\(identity.inode):0", "garbage", ":",
        ] {
            #expect(LogDestination.detect(environment: ["JOURNAL_STREAM": value]) == .stderr, "\(value)")
        }
    }

    @Test("bootstrapHandler sets the level on either handler")
    func bootstrapLevels() throws {
        let plain = LogDestination.bootstrapHandler(label: "t", level: .notice, environment: [:])
        #expect(plain is StreamLogHandler)
        #expect(plain.logLevel == .notice)

        let identity = try stderrIdentity()
        let journal = LogDestination.bootstrapHandler(
            label: "t", identifier: "olafd-x", level: .trace,
            environment: ["JOURNAL_STREAM": "\(identity.device):\(identity.inode)"])
        let handler = try #require(journal as? JournaldLogHandler)
        #expect(handler.logLevel == .trace)
        #expect(handler.identifier == "olafd-x")
        #expect(handler.label == "t")
    }
}
