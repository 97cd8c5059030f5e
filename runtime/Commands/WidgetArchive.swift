import ArgumentParser
import Foundation

struct WidgetArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "widget-archive",
        abstract: "Write the Kommo Salesbot widget as the zip Kommo uploads, with your deployment's widget-request address in it.",
        discussion: """
            Upload the zip at Kommo → Settings → Integrations → Create integration, put the integration's id and secret \
            key into LEADWIRE_KOMMO_CLIENT_ID and LEADWIRE_KOMMO_CLIENT_SECRET, then add the widget's step to a bot in \
            the Salesbot designer. Its step posts to <url>/widget-request.
            """)

    @Option(help: "Your deployment's https address, as Kommo reaches it (for example https://leads.example.com).")
    var url: String

    @Option(help: "Where to write the zip.")
    var out = "leadwire-widget.zip"

    @Option(help: "The widget's files (the repository's widget/ folder).")
    var from = "widget"

    func run() throws {
        do {
            let package = try WidgetPackage(url: url)
            let bytes = try package.archive(from: URL(fileURLWithPath: from))
            try Data(bytes).write(to: URL(fileURLWithPath: out))
            print("Wrote \(out) (\(bytes.count) bytes): its Salesbot step posts to \(package.requestURL).")
        } catch let failure as WidgetPackage.Failure {
            throw CommandFailure(failure.description)
        } catch {
            throw CommandFailure("Could not write \(out): \(error)")
        }
    }
}
