public import Core
import Foundation

/// Typed calls of olafd's control API (`/v1/...`), returning parsed JSON. olafd answers errors with
/// `{"error": "..."}`, which become `ControlClientError.refused`.
public struct ControlAPIClient: Sendable {
    public let http: UnixHTTPClient

    public init(socketPath: String) { http = UnixHTTPClient(socketPath: socketPath) }

    /// Performs a request and parses the JSON answer.
    public func call(_ method: String, _ path: String, body: JSONValue? = nil) throws(ControlClientError) -> JSONValue {
        let response = try http.send(method, path, body: body.map { Array(JSONWriter.compact($0).utf8) } ?? [])
        let parsed = try? JSONParser.parse(response.body)
        guard (200..<300).contains(response.status) else {
            let message = parsed?.objectValue?["error"]?.stringValue ?? response.text
            if response.status == 403 { throw .permissionDenied(socketPath: http.socketPath) }
            throw .refused(status: response.status, message: message)
        }
        guard let parsed else { throw .io("olafd sent something that is not JSON") }
        return parsed
    }

    public func status() throws(ControlClientError) -> JSONValue { try call("GET", "/v1/status") }
    public func neighbours() throws(ControlClientError) -> JSONValue { try call("GET", "/v1/neighbours") }
    public func clients() throws(ControlClientError) -> JSONValue { try call("GET", "/v1/clients") }
    public func files() throws(ControlClientError) -> JSONValue { try call("GET", "/v1/files") }
    public func key() throws(ControlClientError) -> JSONValue { try call("GET", "/v1/key") }
    public func reload() throws(ControlClientError) -> JSONValue { try call("POST", "/v1/reload") }

    /// Adds or re-keys a neighbour; `url` is where to dial when `address` is only its name, `caFile` the CA a
    /// `wss://` neighbour's certificate must chain to.
    public func addNeighbour(address: String, publicKeyPEM: String, url: String? = nil, caFile: String? = nil)
        throws(ControlClientError) -> JSONValue
    {
        var body: JSONObject = ["address": .string(address), "public_key": .string(publicKeyPEM)]
        if let url { body["url"] = .string(url) }
        if let caFile { body["ca_file"] = .string(caFile) }
        return try call("POST", "/v1/neighbours", body: .object(body))
    }

    public func removeNeighbour(address: String) throws(ControlClientError) -> JSONValue {
        try call("DELETE", "/v1/neighbours/\(Self.pathComponent(address))")
    }

    public func resetCounter(address: String) throws(ControlClientError) -> JSONValue {
        try call("POST", "/v1/neighbours/\(Self.pathComponent(address))/reset-counter")
    }

    public func removeFile(id: String) throws(ControlClientError) -> JSONValue {
        try call("DELETE", "/v1/files/\(Self.pathComponent(id))")
    }

    /// Prometheus text from `/metrics`.
    public func metrics() throws(ControlClientError) -> String {
        let response = try http.send("GET", "/metrics")
        guard response.status == 200 else { throw .refused(status: response.status, message: response.text) }
        return response.text
    }

    /// `text` percent-encoded for one path segment (addresses contain ':' and IPv6 brackets).
    static func pathComponent(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
