import Glibc
import Systemd
import Testing

@Suite("SystemdNotifier.watchdogInterval")
struct WatchdogIntervalTests {
    @Test("WATCHDOG_USEC alone gives half the timeout")
    func usecOnly() {
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000"]).watchdogInterval == .seconds(5))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "3"]).watchdogInterval == .microseconds(1))
    }

    @Test("WATCHDOG_PID naming this process keeps the watchdog")
    func ourPID() {
        let environment = ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": String(getpid())]
        #expect(SystemdNotifier(environment: environment).watchdogInterval == .seconds(5))
    }

    @Test("WATCHDOG_PID naming another process disables it")
    func otherPID() {
        let environment = ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": String(getpid() + 1)]
        #expect(SystemdNotifier(environment: environment).watchdogInterval == nil)
    }

    @Test(
        "missing or garbage values disable it",
        arguments: [
            [:], ["WATCHDOG_USEC": ""], ["WATCHDOG_USEC": "garbage"], ["WATCHDOG_USEC": "-5"], ["WATCHDOG_USEC": "0"],
            ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "garbage"],
            ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": ""],
            ["WATCHDOG_PID": "1"],
        ] as [[String: String]])
    func garbage(environment: [String: String]) {
        #expect(SystemdNotifier(environment: environment).watchdogInterval == nil)
    }

    @Test("the watchdog does not need NOTIFY_SOCKET to be parsed")
    func independentOfSocket() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "2000000", "NOTIFY_SOCKET": "@x"])
        #expect(notifier.watchdogInterval == .seconds(1))
    }
}
