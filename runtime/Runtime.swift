import ArgumentParser
import Foundation
import FunctionKit

/// `runtime`: the local development host for Leadwire's functions. There is no default
/// command: with one, a mistyped command (`runtime key list`) was read as arguments to it and
/// answered with the wrong usage.
@main
struct Runtime: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Serve, invoke and migrate Leadwire functions locally, and manage admin keys.",
        version: LeadwireVersion.string,
        subcommands: [Serve.self, Worker.self, Poll.self, Reconcile.self, Invoke.self, Migrate.self, Backup.self, Keys.self, Functions.self, Settings.self, HostConfig.self, WidgetArchive.self, Version.self])

    /// Names an unknown command and lists the real ones, with the closest first.
    static func main() async {
        let commands = configuration.subcommands.map { $0._commandName }
        if let typed = CommandLine.arguments.dropFirst().first, !typed.hasPrefix("-"), !commands.contains(typed), typed != "help" {
            let closest = commands.min { distance($0, typed) < distance($1, typed) }!
            let hint = distance(closest, typed) <= 2 ? " Did you mean `runtime \(closest)`?" : ""
            FileHandle.standardError.write(Data("runtime: unknown command '\(typed)'.\(hint)\nCommands: \(commands.joined(separator: ", ")). See `runtime --help`.\n".utf8))
            Foundation.exit(64)
        }
        await main(nil)
    }

    /// Edit distance between two command names (they are short).
    private static func distance(_ left: String, _ right: String) -> Int {
        let a = Array(left), b = Array(right)
        guard !a.isEmpty else { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version of Leadwire (as `--version` does).")

    func run() { print(LeadwireVersion.string) }
}
