import Foundation
import Glibc
import Logging
import Testing

@testable import Systemd

@Suite("Sending to a real journal")
struct JournalSendTests {
    private static let journalSocket = "/run/systemd/journal/socket"
    private static let journalReachable = FileManager.default.fileExists(atPath: journalSocket)

    private let sample: [(String, String)] = [
        ("MESSAGE", "olaf-systemd test entry\nsecond line"), ("PRIORITY", "7"),
        ("SYSLOG_IDENTIFIER", "olafd-test"), ("OLAF_TEST_ID", UUID().uuidString),
    ]

    @Test("an entry reaches journald", .enabled(if: journalReachable, "no journal socket on this machine"))
    func realEntry() {
        #expect(JournalWriter.send(sample) == 0)
    }

    @Test("without a journal the writer neither traps nor claims an error", .enabled(if: !journalReachable))
    func noJournal() {
        // libsystemd drops entries silently (returns 0) when the journal socket does not exist.
        #expect(JournalWriter.send(sample) == 0)
        #expect(JournalWriter.send([]) == -EINVAL)
    }
}
