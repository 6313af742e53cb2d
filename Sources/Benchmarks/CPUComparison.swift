/// The CPU target: olafd's CPU per relayed message against the Python reference relay's at the same
/// offered load.
public enum CPUComparison {
    /// One comparison table from olafd's and Python's relay tables, paired by position: `olafd[i]` (a label and
    /// the table, nil when that run was skipped) against `python[i]`.
    public static func table(olafd: [(String, SummaryTable?)], python: [SummaryTable]) -> SummaryTable {
        var table = SummaryTable(
            title: "Server CPU per relayed message, olafd against the Python reference relay (1 server, 4×4)",
            command: "the olafd and Python reference relay tables above")
        for ((label, ours), theirs) in zip(olafd, python) {
            guard let ours, let oursCPU = ours.median(of: "server CPU per message"),
                let theirsCPU = theirs.median(of: "server CPU per message")
            else { continue }
            table.add("\(label): olafd", oursCPU, unit: "µs")
            table.add("\(label): Python", theirsCPU, unit: "µs")
            table.add("\(label): Python ÷ olafd", theirsCPU / oursCPU, unit: "×")
            table.target("\(label): Python ÷ olafd", 10, atLeast: true, text: "≥ 10")
        }
        return table
    }

    /// Server CPU per message at one offered rate: olafd, the pure swift-nio broadcast endpoint (the connection
    /// layer's floor), the Python reference relay (nil: not run), and one `public_chat`'s parse + verify measured
    /// in-process. Targets (issue 16): olafd ≤ 1.3 × (broadcast + parse/verify), and ≤ 1/1.6 of Python's.
    public static func connectionLayerTable(
        rate: Double, olafd: SummaryTable, broadcast: SummaryTable, python: SummaryTable?,
        parseAndVerifyMicros: Double, command: String
    ) -> SummaryTable {
        let key = "server CPU per message"
        var table = SummaryTable(
            title: "Server CPU per relayed message at \(Int(rate)) msg/s offered (1 server, 4×4, public_chat)",
            command: command)
        guard let ours = olafd.median(of: key), let floor = broadcast.median(of: key) else { return table }
        table.add("olafd", ours, unit: "µs")
        table.add("broadcast endpoint (swift-nio, no parsing)", floor, unit: "µs")
        table.add("parse + verify one frame (in-process)", parseAndVerifyMicros, unit: "µs")
        let bound = ours / (floor + parseAndVerifyMicros)
        table.add("olafd ÷ (broadcast + parse/verify)", bound, unit: "×")
        table.target("olafd ÷ (broadcast + parse/verify)", 1.3, atLeast: false, text: "≤ 1.3")
        if let python, let theirs = python.median(of: key) {
            table.add("Python reference relay", theirs, unit: "µs")
            table.add("Python ÷ olafd", theirs / ours, unit: "×")
            table.target("Python ÷ olafd", 1.6, atLeast: true, text: "≥ 1.6")
        }
        return table
    }
}
