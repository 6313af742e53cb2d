import OlafTestSupport
import Client
import Core
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// An olaf-client UI server (and its engine service) running in this process on 127.0.0.1 with a free port.
final class UIHarness: Sendable {
    let session: UserSession
    let token: AccessToken
    let port: Int
    /// The URL the daemon prints (token included).
    let url: String
    let dataDirectory: DataDirectory
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var host: String { "127.0.0.1:\(port)" }
    var origin: String { "http://127.0.0.1:\(port)" }

    static func start(
        home: ServerAddress, dataDirectory: String? = nil, configure: (inout EngineConfiguration) -> Void = { _ in }
    ) async throws -> UIHarness {
        let directory = DataDirectory(
            path: dataDirectory
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("olaf-ui-\(UUID().uuidString)").path)
        try directory.prepare()
        var logger = Logger(label: "ui-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["OLAF_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        var configuration = EngineConfiguration(home: home, initialBackoff: .milliseconds(50))
        configure(&configuration)
        let session = UserSession(
            keystore: ClientKeystore(directory: directory),
            store: try ClientStore(path: directory.file("client.sqlite")), configuration: configuration, logger: logger)
        let token = try AccessToken.random()
        let server = UIServer(
            address: try UIAddress(parsing: "127.0.0.1:0"), token: token,
            routes: UIRoutes(session: session, assets: try UIAssets.load(), maxUploadBytes: 1 << 20), logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: (Int, String).self)
        let application = server.application { port, url in continuation.yield((port, url)) }
        let group = ClientServiceGroup.make(application: application, session: session, signals: [], logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var bound: (port: Int, url: String)?
        for await listening in ports {
            bound = listening
            break
        }
        guard let bound else {
            try await task.value
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return UIHarness(
            session: session, token: token, port: bound.port, url: bound.url, dataDirectory: directory, group: group,
            task: task)
    }

    private init(
        session: UserSession, token: AccessToken, port: Int, url: String, dataDirectory: DataDirectory,
        group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.session = session
        self.token = token
        self.port = port
        self.url = url
        self.dataDirectory = dataDirectory
        self.group = group
        self.task = task
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        if await !taskFinished(task, within: .seconds(20)) {
            Issue.record("the UI server did not shut down within 20 s")
        }
    }

    /// A request with the right Host and the bearer token, plus `extra` headers.
    func get(_ path: String, _ extra: [(String, String)] = [], bearer: Bool = true) async throws -> RawHTTP.Response {
        var headers = [("Host", host)]
        if bearer { headers.append(("Authorization", "Bearer \(token.value)")) }
        return try await RawHTTP.request(path: path, port: port, headers: headers + extra)
    }

    func post(_ path: String, json: String, _ extra: [(String, String)] = [], bearer: Bool = true) async throws
        -> RawHTTP.Response
    {
        var headers = [("Host", host), ("Content-Type", "application/json"), ("Origin", origin)]
        if bearer { headers.append(("Authorization", "Bearer \(token.value)")) }
        return try await RawHTTP.request("POST", path: path, port: port, headers: headers + extra, body: Array(json.utf8))
    }
}
