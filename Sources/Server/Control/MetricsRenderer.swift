import Core
import Foundation

/// Prometheus text exposition (version 0.0.4) of olafd's counters and gauges, served at `/metrics`.
struct MetricsRenderer {
    let server: OlafServer

    func render() async throws -> String {
        let counts = server.statistics.snapshot
        let hub = server.hub
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        metric(
            "olaf_clients_connected", "gauge", "Clients connected to this server.",
            [("", "\(await hub.localClientCount)")])
        metric("olaf_messages_relayed_total", "counter", "Frames accepted and passed on.", [("", "\(counts.relayed)")])
        metric("olaf_deliveries_total", "counter", "OlafMessage copies queued to peers.", [("", "\(counts.deliveries)")])
        metric(
            "olaf_messages_dropped_total", "counter", "Frames dropped, by reason.",
            DropReason.allCases.map { ("{reason=\"\($0.rawValue)\"}", "\(counts.dropped[$0, default: 0])") })
        metric(
            "olaf_verify_failures_total", "counter", "Signatures that did not verify.",
            [("", "\(counts.dropped[.badSignature, default: 0])")])
        metric(
            "olaf_queue_drops_total", "counter", "Peers disconnected because their outbound queue was full.",
            [("", "\(counts.dropped[.slowConsumer, default: 0])")])
        let refusals = server.abuse.refusals.snapshot
        metric(
            "olaf_limit_refusals_total", "counter",
            "Connections, hellos, frames and uploads refused by an abuse limit.",
            LimitKind.allCases.map { ("{limit=\"\($0.rawValue)\"}", "\(refusals[$0, default: 0])") })
        metric(
            "olaf_connections_open", "gauge", "TCP connections open (WebSocket and HTTP), over all addresses.",
            [("", "\(server.abuse.openConnections)")])
        var linkSamples: [(String, String)] = []
        for neighbour in await hub.configuredNeighbours.sorted(by: { $0.address.canonical < $1.address.canonical }) {
            let state = await hub.linkState(of: neighbour.address)
            linkSamples.append(("{neighbour=\"\(neighbour.address.canonical)\"}", state.outbound ? "1" : "0"))
        }
        metric("olaf_neighbour_link_up", "gauge", "1 when our dialled link to the neighbour is up.", linkSamples)
        let files = try await server.store.files()
        metric("olaf_files_stored", "gauge", "Uploaded files kept.", [("", "\(files.count)")])
        metric(
            "olaf_file_bytes_stored", "gauge", "Bytes of uploaded files kept.",
            [("", "\(files.reduce(0) { $0 + $1.size })")])
        metric(
            "olaf_upload_bytes_total", "counter", "Bytes accepted by uploads since start.",
            [("", "\(server.files.uploadedBytesTotal)")])
        return lines.joined(separator: "\n") + "\n"
    }
}
