import Glibc

/// Interprets `WATCHDOG_USEC` / `WATCHDOG_PID` the way `sd_watchdog_enabled` does.
enum WatchdogConfiguration {
    /// Half the watchdog timeout (the recommended ping interval), or `nil` when the watchdog is off, meant for
    /// another process, or the variables do not parse.
    static func pingInterval(environment: [String: String], processID: pid_t = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let timeout = UInt64(text),
            timeout > 0, timeout < UInt64.max
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let pid = pid_t(pidText), pid > 0, pid == processID else { return nil }
        }
        return .microseconds(timeout / 2)
    }
}
