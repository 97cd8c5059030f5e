import ArgumentParser

/// `runtime`: the local development host for Leadwire's functions.
@main
struct Runtime: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Serve, invoke and migrate Leadwire functions locally, and manage admin keys.",
        subcommands: [Serve.self, Invoke.self, Migrate.self, Keys.self, Functions.self, HostConfig.self],
        defaultSubcommand: Serve.self)
}
