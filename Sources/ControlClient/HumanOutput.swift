public import Core

/// Human-readable renderings of control API answers.
public enum HumanOutput {
    public static func status(_ value: JSONValue) -> String {
        let object = value.objectValue ?? JSONObject()
        func field(_ key: String) -> String { describe(object[key]) }
        var lines = [
            "olafd \(field("version")), up \(duration(object["uptime_seconds"]))",
            "listen:          \(field("listen"))",
            "public address:  \(field("public_address"))",
            "fingerprint:     \(field("fingerprint"))",
            "clients:         \(field("clients"))",
        ]
        if let files = object["files"]?.objectValue {
            lines.append("files:           \(describe(files["count"])) (\(describe(files["bytes"])) bytes)")
        }
        if let messages = object["messages"]?.objectValue {
            lines.append(
                "messages:        \(describe(messages["relayed"])) relayed, \(describe(messages["deliveries"])) deliveries"
            )
            let dropped = (messages["dropped"]?.objectValue?.members ?? []).filter { describe($0.value) != "0" }
            lines.append(
                "dropped:         "
                    + (dropped.isEmpty
                        ? "none" : dropped.map { "\($0.key) \(describe($0.value))" }.joined(separator: ", ")))
        }
        if let refused = object["limits"]?.objectValue?["refused"]?.objectValue {
            let hits = refused.members.filter { describe($0.value) != "0" }
            lines.append(
                "limits refused:  "
                    + (hits.isEmpty ? "none" : hits.map { "\($0.key) \(describe($0.value))" }.joined(separator: ", ")))
        }
        if let federation = object["federation"]?.objectValue {
            lines.append(
                "federation:      \(describe(federation["counter_resets"])) neighbour counter resets, "
                    + "\(describe(federation["key_conflicts"])) key conflicts, "
                    + "\(describe(federation["contested_clients"])) contested clients withheld")
        }
        let neighbours = object["neighbours"]?.arrayValue ?? []
        lines.append("")
        lines.append(
            neighbours.isEmpty
                ? "no neighbours (add one: olafctl neighbours add HOST:PORT --key FILE)"
                : neighboursTable(.array(neighbours)))
        return lines.joined(separator: "\n")
    }

    public static func neighboursTable(_ value: JSONValue) -> String {
        let rows = (value.arrayValue ?? []).compactMap(\.objectValue).map { entry in
            [
                describe(entry["address"]), describe(entry["state"]), describe(entry["last_seen"]),
                describe(entry["fingerprint"]),
            ]
        }
        return TextTable.render(header: ["NEIGHBOUR", "LINK", "LAST SEEN", "FINGERPRINT"], rows: rows)
    }

    public static func clients(_ value: JSONValue) -> String {
        let rows = (value.arrayValue ?? []).compactMap(\.objectValue).map { [describe($0["fingerprint"])] }
        return rows.isEmpty ? "no clients connected" : TextTable.render(header: ["FINGERPRINT"], rows: rows)
    }

    public static func files(_ value: JSONValue) -> String {
        let rows = (value.arrayValue ?? []).compactMap(\.objectValue).map {
            [
                describe($0["id"]), describe($0["size"]), describe($0["uploaded"]), describe($0["expires"]),
                describe($0["name"]),
            ]
        }
        return rows.isEmpty
            ? "no files" : TextTable.render(header: ["ID", "BYTES", "UPLOADED", "EXPIRES", "NAME"], rows: rows)
    }

    public static func key(_ value: JSONValue) -> String {
        let object = value.objectValue ?? JSONObject()
        return "\(describe(object["public_key"]))\nfingerprint: \(describe(object["fingerprint"]))"
    }

    static func describe(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .number(let text)?: text
        case .bool(let flag)?: flag ? "yes" : "no"
        case .null?, nil: "-"
        case let other?: JSONWriter.compact(other)
        }
    }

    static func duration(_ value: JSONValue?) -> String {
        guard let seconds = value?.uint64Value else { return "?" }
        let days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60
        return days > 0 ? "\(days)d \(hours)h" : hours > 0 ? "\(hours)h \(minutes)m" : "\(minutes)m \(seconds % 60)s"
    }
}
