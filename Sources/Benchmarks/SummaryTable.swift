import Foundation

/// Figures collected over repeated runs, printed as a Markdown table: median and min–max per figure.
public struct SummaryTable: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var unit: String
        public var values: [Double]
        /// Target text, e.g. "≥ 20,000", and whether the median meets it.
        public var target: String?
        public var met: Bool?
    }

    public private(set) var rows: [Row] = []
    public let title: String
    public let command: String

    public init(title: String, command: String) {
        self.title = title
        self.command = command
    }

    /// Adds a value of figure `name` (rows keep first-seen order).
    public mutating func add(_ name: String, _ value: Double, unit: String) {
        if let index = rows.firstIndex(where: { $0.name == name }) {
            rows[index].values.append(value)
        } else {
            rows.append(Row(name: name, unit: unit, values: [value]))
        }
    }

    /// Attaches a target to figure `name`: `atLeast` true means higher is better.
    public mutating func target(_ name: String, _ bound: Double, atLeast: Bool, text: String) {
        guard let index = rows.firstIndex(where: { $0.name == name }) else { return }
        rows[index].target = text
        let median = Self.median(rows[index].values)
        rows[index].met = atLeast ? median >= bound : median <= bound
    }

    /// The median of figure `name`, if the table has it.
    public func median(of name: String) -> Double? {
        rows.first { $0.name == name }.map { Self.median($0.values) }
    }

    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// A number with thousands separators (no decimals from 100 up, else up to three significant decimals).
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if abs(value) >= 100 {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.maximumFractionDigits = 0
            formatter.locale = Locale(identifier: "en_US")
            return formatter.string(from: NSNumber(value: value.rounded())) ?? String(Int(value))
        }
        if abs(value) >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3g", value)
    }

    /// The Markdown table.
    public var markdown: String {
        let hasTargets = rows.contains { $0.target != nil }
        var lines = [
            "### \(title)", "", "`\(command)`", "",
            "| figure | median | min–max | runs |" + (hasTargets ? " target | met |" : ""),
            "|---|---:|---|---:|" + (hasTargets ? "---|---|" : ""),
        ]
        for row in rows {
            let median = Self.format(Self.median(row.values))
            let low = Self.format(row.values.min() ?? .nan)
            let high = Self.format(row.values.max() ?? .nan)
            var line = "| \(row.name) (\(row.unit)) | \(median) | \(low)–\(high) | \(row.values.count) |"
            if hasTargets {
                line += " \(row.target ?? "") | \(row.met.map { $0 ? "yes" : "**no**" } ?? "") |"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
