import Foundation

/// Tells the service manager about olafd's state over the `sd_notify` datagram protocol.
///
/// Reads `NOTIFY_SOCKET` once, at initialisation: an absolute path, or `@name` for the abstract namespace. When it is
/// unset, empty or unusable, the notifier is disabled: every call sends nothing and returns `false`
/// (``configurationProblem`` says why an unusable value was ignored, so the caller can log it).
///
/// Failures are never thrown or fatal — a notification that cannot be delivered must not take the service down —
/// they are reported as a `false` result. Each call opens its own socket, so the type is a plain `Sendable` value.
/// A call may block for up to two seconds if the service manager stops draining its queue; call it off latency
/// critical threads.
public struct SystemdNotifier: Sendable {
    /// Where notifications go, or `nil` when disabled.
    let address: NotifySocketAddress?

    /// Why a non-empty `NOTIFY_SOCKET` was ignored, or `nil` when it was usable or absent.
    public let configurationProblem: String?

    /// The interval at which to send ``watchdog()``: half of `WATCHDOG_USEC`, when that is set and `WATCHDOG_PID`
    /// is unset or this process; `nil` otherwise.
    public let watchdogInterval: Duration?

    /// Whether notifications are sent at all (`NOTIFY_SOCKET` is set and usable).
    public var isEnabled: Bool { address != nil }

    /// Creates a notifier from this process's `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
    ///
    /// (An overload rather than a default argument, so that Foundation stays an internal import.)
    public init() {
        self.init(environment: ProcessInfo.processInfo.environment)
    }

    /// Creates a notifier from `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` in `environment`.
    public init(environment: [String: String]) {
        watchdogInterval = WatchdogConfiguration.pingInterval(environment: environment)
        guard let value = environment["NOTIFY_SOCKET"], !value.isEmpty else {
            address = nil
            configurationProblem = nil
            return
        }
        do {
            address = try NotifySocketAddress(parsing: value)
            configurationProblem = nil
        } catch {
            address = nil
            configurationProblem = error.description
        }
    }

    /// `READY=1`: start-up finished (listening, links started, state open), or a reload finished.
    @discardableResult public func ready() -> Bool {
        send(["READY=1"])
    }

    /// `STATUS=…`: a one-line human-readable status. Line breaks in `text` become spaces.
    @discardableResult public func status(_ text: String) -> Bool {
        send(["STATUS=" + String(text.map { $0.isNewline ? " " : $0 })])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC now), as `Type=notify-reload` requires. Send
    /// ``ready()`` when the reload is done.
    @discardableResult public func reloading() -> Bool {
        send(["RELOADING=1", "MONOTONIC_USEC=\(MonotonicClock.microseconds())"])
    }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult public func stopping() -> Bool {
        send(["STOPPING=1"])
    }

    /// `WATCHDOG=1`: the service is alive. Send it every ``watchdogInterval`` while the event loop is healthy.
    @discardableResult public func watchdog() -> Bool {
        send(["WATCHDOG=1"])
    }

    /// Sends `assignments` (`NAME=value` each) in one datagram, joined by newlines.
    ///
    /// Returns `false` without sending when disabled, when `assignments` is empty, or when an assignment has no
    /// name, no `=`, or a line break (which would smuggle in another assignment).
    @discardableResult public func send(_ assignments: [String]) -> Bool {
        guard let address, !assignments.isEmpty else { return false }
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex,
                !assignment.contains(where: \.isNewline)
            else { return false }
        }
        return DatagramSender.send(Array(assignments.joined(separator: "\n").utf8), to: address)
    }
}
