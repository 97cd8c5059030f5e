import ArgumentParser
import FunctionCatalog
import Foundation

struct Settings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every setting: its default, who reads it and what it means.",
        discussion: """
            --markdown prints README's Configuration table and --example the settings file deploy/leadwire.env.example; \
            scripts/docs writes both.
            """)

    @Flag(help: "README's Configuration table.")
    var markdown = false

    @Flag(help: "A settings file for --env-file with every setting commented out at its default.")
    var example = false

    func validate() throws {
        if markdown && example { throw ValidationError("Choose one of --markdown and --example.") }
    }

    func run() {
        if markdown {
            print(Self.markdownTable)
        } else if example {
            print(Self.exampleFile, terminator: "")
        } else {
            for setting in Setting.all {
                print("\(setting.name)  (default: \(Self.plain(Self.defaultText(setting.defaultValue))); \(setting.usedBy))")
            }
        }
    }

    static var markdownTable: String {
        (["| variable | default | used by | meaning |", "|---|---|---|---|"]
            + Setting.all.map { "| `\($0.name)` | \(defaultText($0.defaultValue)) | \($0.usedBy) | \($0.meaning) |" })
            .joined(separator: "\n")
    }

    static var exampleFile: String {
        var text = """
            # Leadwire settings: every one, with its default. Copy this file, uncomment what you change,
            # and pass it with `runtime serve --env-file FILE` (or `runtime host-config ... --env-file FILE`).
            # A variable set in the environment wins over the file. README's Configuration table says more.

            """
        for setting in Setting.all {
            text += "\n# \(plain(setting.meaning))\n"
            switch setting.defaultValue {
            case .value(let value, _): text += "# \(setting.name)=\(value)\n"
            default: text += "# \(setting.name)=            (default: \(plain(defaultText(setting.defaultValue))))\n"
            }
        }
        return text
    }

    /// The default as README's table shows it.
    static func defaultText(_ value: Setting.Default) -> String {
        switch value {
        case .value(let value, let note): "`\(value)`" + (note.map { " (\($0))" } ?? "")
        case .unset(let note): "unset" + (note.map { " (\($0))" } ?? "")
        case .described(let text): text
        }
    }

    /// Markdown's code marks dropped, for a plain-text file.
    static func plain(_ text: String) -> String { text.replacingOccurrences(of: "`", with: "") }
}
