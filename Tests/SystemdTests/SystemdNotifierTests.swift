import Foundation
import Glibc
import Systemd
import Testing

@Suite("SystemdNotifier against a real datagram socket")
struct SystemdNotifierTests {
    /// Runs the full notification sequence against `receiver` and checks every payload byte for byte.
    private func expectSequence(_ receiver: DatagramReceiver) throws {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket])
        #expect(notifier.isEnabled)
        #expect(notifier.configurationProblem == nil)

        #expect(notifier.ready())
        #expect(receiver.receive() == "READY=1")

        #expect(notifier.status("3 clients, 2 neighbours"))
        #expect(receiver.receive() == "STATUS=3 clients, 2 neighbours")

        #expect(notifier.status("line one\nline two\r\nthree"))
        #expect(receiver.receive() == "STATUS=line one line two three")

        let before = testMonotonicMicroseconds()
        #expect(notifier.reloading())
        let after = testMonotonicMicroseconds()
        let reloading = try #require(receiver.receive())
        let lines = reloading.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == 2)
        #expect(lines[0] == "RELOADING=1")
        #expect(lines[1].hasPrefix("MONOTONIC_USEC="))
        let stamp = try #require(UInt64(lines[1].dropFirst("MONOTONIC_USEC=".count)))
        #expect(stamp >= before && stamp <= after)

        #expect(notifier.watchdog())
        #expect(receiver.receive() == "WATCHDOG=1")

        #expect(notifier.stopping())
        #expect(receiver.receive() == "STOPPING=1")

        #expect(notifier.send(["STATUS=custom", "EXTEND_TIMEOUT_USEC=5000000"]))
        #expect(receiver.receive() == "STATUS=custom\nEXTEND_TIMEOUT_USEC=5000000")

        #expect(!receiver.hasPendingDatagram())
    }

    @Test("file-system NOTIFY_SOCKET receives the exact payloads")
    func pathSocket() throws {
        try expectSequence(try DatagramReceiver.atPath())
    }

    @Test("abstract @name NOTIFY_SOCKET receives the exact payloads")
    func abstractSocket() throws {
        let receiver = try DatagramReceiver.abstract()
        #expect(receiver.notifySocket.hasPrefix("@olaf-test-"))
        try expectSequence(receiver)
    }

    @Test("unset or empty NOTIFY_SOCKET disables every call", arguments: [[:], ["NOTIFY_SOCKET": ""]])
    func disabled(environment: [String: String]) throws {
        let receiver = try DatagramReceiver.atPath()
        let notifier = SystemdNotifier(environment: environment)
        #expect(!notifier.isEnabled)
        #expect(notifier.configurationProblem == nil)
        #expect(!notifier.ready())
        #expect(!notifier.status("x"))
        #expect(!notifier.reloading())
        #expect(!notifier.stopping())
        #expect(!notifier.watchdog())
        #expect(!notifier.send(["READY=1"]))
        #expect(!receiver.hasPendingDatagram())
    }

    @Test(
        "unusable NOTIFY_SOCKET values disable the notifier and say why",
        arguments: ["relative/socket", "vsock:2:1234", "@", "/" + String(repeating: "a", count: 107)])
    func unusable(value: String) {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": value])
        #expect(!notifier.isEnabled)
        #expect(notifier.configurationProblem != nil)
        #expect(!notifier.ready())
    }

    @Test("malformed assignments are refused and nothing is sent")
    func malformedAssignments() throws {
        let receiver = try DatagramReceiver.atPath()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket])
        #expect(!notifier.send([]))
        #expect(!notifier.send(["READY"]))
        #expect(!notifier.send(["=1"]))
        #expect(!notifier.send(["STATUS=x\nREADY=1"]))
        #expect(!notifier.send(["STATUS=ok", "bad"]))
        #expect(!receiver.hasPendingDatagram())
    }

    @Test("a socket nobody listens on yields false, not a crash")
    func nobodyListening() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/tmp/olaf-missing-\(UUID().uuidString).sock"])
        #expect(notifier.isEnabled)
        #expect(!notifier.ready())
        let abstract = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@olaf-missing-\(UUID().uuidString)"])
        #expect(!abstract.ready())
    }
}
