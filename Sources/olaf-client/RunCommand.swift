import ArgumentParser
import Client
import Core
import Foundation
import Logging
import NIOSSL
import ServiceLifecycle
import Systemd
import UnixSignals

/// `olaf-client --server HOST:PORT [--ui 127.0.0.1:PORT] …`: runs the client until SIGTERM / SIGINT and prints
/// the one URL (with its access token) to open in a browser.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Connect to the home server and serve the browser UI (the default).")

    @Option(help: "Your home server: HOST:PORT, ws://HOST:PORT or wss://HOST:PORT.")
    var server: String

    @Option(help: "Where the browser UI listens: 127.0.0.1:PORT (port 0 picks a free one).")
    var ui = "127.0.0.1:8765"

    @OptionGroup var data: DataOptions

    @Flag(
        name: .customLong("allow-remote-ui"),
        help: "Allow a non-loopback --ui address (anyone who can reach it and has the URL can chat as you).")
    var allowRemoteUI = false

    @Option(name: .customLong("ca-file"), help: "PEM file of CA certificates to trust for a wss:// home server.")
    var caFile: String?

    @Option(
        name: .customLong("file-api"),
        help: ArgumentHelp(
            "Your home server's file API, when it is not on the --server host and port: http(s)://HOST:PORT[/PATH] "
                + "(uploads go to PATH/api/upload). Default: $OLAF_CLIENT_FILE_API, else the --server address.",
            valueName: "URL"))
    var fileAPI: String?

    @Option(name: .customLong("max-upload-bytes"), help: "Largest file the UI accepts to send.")
    var maxUploadBytes: Int64 = 100 << 20

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "notice"

    func run() async throws {
        let home: ServerAddress
        do {
            home = try ServerAddress(parsing: server)
        } catch {
            throw fail("bad --server address \"\(server)\": \(error); write HOST:PORT, e.g. 127.0.0.1:8080")
        }
        let uiAddress: UIAddress
        do {
            uiAddress = try UIAddress(parsing: ui, allowRemote: allowRemoteUI)
        } catch {
            throw fail("\(error)")
        }
        var fileAPIBase: FileAPIBase?
        let fromEnvironment = ProcessInfo.processInfo.environment["OLAF_CLIENT_FILE_API"].flatMap {
            $0.isEmpty ? nil : $0
        }
        if let setting = fileAPI ?? fromEnvironment {
            do {
                fileAPIBase = try FileAPIBase(parsing: setting)
            } catch {
                let source = fileAPI == nil ? "OLAF_CLIENT_FILE_API" : "--file-api"
                throw fail("bad \(source): \(error)")
            }
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw fail("unknown --log-level \(logLevel)") }
        var logger = Logger(label: "olaf-client")
        logger.logLevel = level

        var tls: TLSConfiguration?
        if let caFile {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(caFile)
            tls = configuration
        }
        let directory = data.directory
        let lock: DirectoryLock
        let session: UserSession
        let assets: UIAssets
        do {
            try directory.prepare()
            lock = try directory.lock()
            let store = try ClientStore(path: directory.file("client.sqlite"))
            session = UserSession(
                keystore: ClientKeystore(directory: directory), store: store,
                configuration: EngineConfiguration(home: home, tls: tls, fileAPI: fileAPIBase), logger: logger)
            if let passphraseFile = data.passphraseFile {
                try await session.unlockOrCreate(passphrase: try ClientKeystore.readPassphrase(file: passphraseFile))
            }
            assets = try UIAssets.load(
                directory: UIAssets.locate(
                    environment: ProcessInfo.processInfo.environment,
                    executablePath: Bundle.main.executablePath ?? CommandLine.arguments[0]))
        } catch {
            throw fail("\(error)")
        }
        defer { lock.release() }
        let uiServer = UIServer(
            address: uiAddress, token: try AccessToken.random(),
            routes: UIRoutes(session: session, assets: assets, maxUploadBytes: maxUploadBytes), logger: logger)
        let locked = await session.engine == nil
        logger.notice(
            "olaf-client starting",
            metadata: [
                "home_server": "\(home.webSocketURL)", "data_dir": "\(directory.path)",
                "file_api": "\((fileAPIBase ?? FileAPIBase(home: home)).uploadURL)",
                "locked": "\(locked)",
            ])
        let environment = ProcessInfo.processInfo.environment
        let urlFile = UIURLFile.forDataDirectory(directory, explicit: data.dataDir != nil, environment: environment)
        // Under systemd stdout is the journal, which others may read: the token goes only into the 0600 file.
        let stdoutIsJournal = LogDestination.isJournalStream(descriptor: STDOUT_FILENO, environment: environment)
        let urlLogger = logger
        let application = uiServer.application { _, url in
            do {
                try urlFile.write(url)
            } catch {
                urlLogger.warning("cannot keep the UI URL for `olaf-client url`", metadata: ["error": "\(error)"])
            }
            if stdoutIsJournal {
                FileHandle.standardOutput.write(Data("UI ready: run `olaf-client url` for its address\n".utf8))
            } else {
                // The one line on stdout: the URL with the access token. Never logged.
                FileHandle.standardOutput.write(Data("Open \(url)\n".utf8))
            }
        }
        defer { urlFile.remove() }
        let group = ClientServiceGroup.make(
            application: application, session: session, signals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            throw fail("cannot serve the UI on \(uiAddress): \(error)")
        }
    }
}
