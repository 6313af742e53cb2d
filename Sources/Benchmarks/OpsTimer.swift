import Foundation

/// Runs an operation repeatedly for a wall-clock budget and reports operations per second.
public enum OpsTimer {
    /// Calls `body` in batches until `seconds` have elapsed (at least one batch) and returns ops/s.
    /// `body` must do one operation per call; a thrown error aborts the measurement.
    public static func opsPerSecond(seconds: Double, batch: Int = 16, _ body: () throws -> Void) rethrows -> Double {
        // Warm-up: fills context pools and caches so the first timed batch is representative.
        for _ in 0..<batch { try body() }
        let clock = ContinuousClock()
        let start = clock.now
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        var operations = 0
        while clock.now - start < budget {
            for _ in 0..<batch { try body() }
            operations += batch
        }
        let elapsed = clock.now - start
        let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(operations) / secondsElapsed
    }
}
