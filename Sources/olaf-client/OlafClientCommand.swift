import ArgumentParser

/// `olaf-client`: the user's OLAF client daemon with its browser UI.
@main
struct OlafClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olaf-client",
        abstract: "OLAF chat client: connects to your home server and serves the chat UI in your browser.",
        subcommands: [RunCommand.self, KeyCommand.self, URLCommand.self],
        defaultSubcommand: RunCommand.self)
}
