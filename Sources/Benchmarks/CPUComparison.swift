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
}
