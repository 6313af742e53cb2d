import OlafTestSupport
import Core
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Server
import Testing

/// The file API on a running olafd, over real HTTP on loopback, next to the WebSocket listener.
@Suite("File API on a running server", .timeLimit(.minutes(2)))
struct FileAPIIntegrationTests {
    private func request(_ method: String, _ url: String, body: Data? = nil, contentType: String? = nil) async throws
        -> (Int, Data, [String: String])
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers["\(key)".lowercased()] = "\(value)" }
        return (http.statusCode, data, headers)
    }

    @Test("multipart upload then download returns the same bytes, with safe headers; the link is absolute")
    func roundTrip() async throws {
        let server = try await TestServer.start { $0.publicBaseURL = "https://files.example.org/" }
        let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let boundary = "olafBoundary42"
        var body = Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/pass wd.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        body.append(payload)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let (status, reply, _) = try await request(
            "POST", "http://127.0.0.1:\(server.port)/api/upload", body: body,
            contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(status == 200)
        let object = try JSONParser.parse(Array(reply)).objectValue
        let fileURL = try #require(object?["file_url"]?.stringValue)
        #expect(fileURL.hasPrefix("https://files.example.org/api/files/"))
        let path = String(fileURL.dropFirst("https://files.example.org".count))
        let id = path.split(separator: "/")[2]
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))

        let (getStatus, downloaded, headers) = try await request("GET", "http://127.0.0.1:\(server.port)\(path)")
        #expect(getStatus == 200)
        #expect(downloaded == payload)
        #expect(headers["x-content-type-options"] == "nosniff")
        #expect(headers["content-disposition"]?.hasPrefix("attachment;") == true)
        #expect(headers["content-disposition"]?.contains("etc") == false)
        #expect(headers["content-security-policy"]?.contains("default-src 'none'") == true)

        // The WebSocket listener still works beside it.
        let alice = try await TestClient.connected(to: server)
        #expect(await alice.clientList() != nil)
        await server.stop()
    }

    @Test(
        "too large is 413, unknown ids and traversal attempts are 404",
        arguments: [
            "/api/files/00000000000000000000000000000000/x", "/api/files/..%2f..%2fetc%2fpasswd/x",
            "/api/files/%2e%2e/%2e%2e", "/api/files/..%5c..%5colafd.sqlite/x", "/api/files/../olafd.sqlite",
        ])
    func refusals(path: String) async throws {
        let server = try await TestServer.start { $0.maxUploadBytes = 1000 }
        let (tooLarge, _, _) = try await request(
            "POST", "http://127.0.0.1:\(server.port)/api/upload",
            body: Data(count: 5000), contentType: "application/octet-stream")
        #expect(tooLarge == 413)
        let (status, body, _) = try await request("GET", "http://127.0.0.1:\(server.port)\(path)")
        #expect(status == 404)
        #expect(!String(decoding: body, as: UTF8.self).contains("SQLite"))
        try await assertHealthy(server)
        await server.stop()
    }
}
