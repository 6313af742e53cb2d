import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Server

/// `olafd`: the OLAF/Neighbourhood relay server.
@main
struct OlafdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olafd",
        abstract: "OLAF/Neighbourhood relay server: WebSocket relay for clients and neighbour servers, file API.",
        subcommands: [ServeCommand.self, KeyCommand.self],
        defaultSubcommand: ServeCommand.self)
}
