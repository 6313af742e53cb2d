import ArgumentParser
import Foundation
import Core
import Hummingbird
import Logging
import OlafCrypto
import Server
import ServiceLifecycle

/// `olafd [options]`: runs the server in the foreground until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server (the default).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        PrivateUmask.apply()
        let configuration = try options.configuration(environment: ProcessInfo.processInfo.environment)
        let logLevel = LogSetup.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: "olafd")
        if let limit = OpenFileLimit.raiseToHardLimit(), limit.after > limit.before {
            logger.info("raised the open-file limit", metadata: ["from": "\(limit.before)", "to": "\(limit.after)"])
        }
        let server: OlafServer
        do {
            server = try await OlafServer.prepare(
                configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger)
        } catch {
            logger.critical("olafd cannot start: \(error)")
            throw ExitCode(1)
        }
        let publicAddress = try configuration.resolvedPublicAddress()
        let filesBase = try configuration.resolvedPublicBaseURL() + "/api/files/"
        let neighbours = await server.hub.configuredNeighbours.map(\.address.canonical).sorted()
        logger.notice(
            "olafd starting",
            metadata: [
                "listen": "\(configuration.listenHost):\(configuration.listenPort)",
                "public_address": "\(publicAddress)",
                "files": "\(filesBase)",
                "state_dir": "\(configuration.stateDirectory)",
                "fingerprint": "\(server.identity.key.publicKey.fingerprint)",
                "neighbours": "\(neighbours.isEmpty ? "none" : neighbours.joined(separator: ", "))",
                "metrics": "\(configuration.metricsListen.map { "\($0.host):\($0.port)" } ?? "control socket only")",
            ])
        let startedLogger = logger
        let app = try server.application { channel in
            startedLogger.notice("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        }
        let options = self.options
        let reload: @Sendable () async throws -> String = {
            let fresh = try options.configuration(environment: ProcessInfo.processInfo.environment)
            logLevel.set(fresh.logLevel)
            return server.applyReload(fresh) + ", log level \(fresh.logLevel)"
        }
        try await server.serviceGroup(running: app, reload: reload).run()
    }
}
