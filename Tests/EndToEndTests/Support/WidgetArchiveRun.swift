import Foundation
import Testing

/// The Kommo widget archive as `runtime widget-archive` writes it, unpacked with `unzip`, and
/// its script run in Node as Kommo runs it.
struct WidgetArchiveRun {
    static let repositoryWidget = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appending(path: "widget")
    static let deploymentURL = "https://leads.example.com"

    let zip: URL
    let unpacked: URL

    init(in scratch: Scratch) throws {
        zip = scratch.folder.appending(path: "leadwire-widget-\(UUID().uuidString).zip")
        unpacked = scratch.folder.appending(path: "widget-\(UUID().uuidString)")
        let written = try ServerProcess.runToEnd(
            try Products.url("runtime").path, ["widget-archive", "--url", Self.deploymentURL, "--out", zip.path, "--from", Self.repositoryWidget.path])
        guard written.status == 0 else { throw TestSetupError("widget-archive failed: \(written.output)") }
        let unzip = try ServerProcess.runToEnd("/usr/bin/unzip", ["-q", zip.path, "-d", unpacked.path])
        guard unzip.status == 0 else { throw TestSetupError("unzip failed: \(unzip.output)") }
    }

    /// The paths in the zip, as `unzip` lists them.
    func listing() throws -> [String] {
        try ServerProcess.runToEnd("/usr/bin/unzip", ["-Z1", zip.path]).output.split(separator: "\n").map(String.init).sorted()
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: unpacked.appending(path: path))) as? [String: Any], "\(path)")
    }

    /// Loads script.js in Node the way Kommo's AMD loader does (a `define` that hands over the
    /// module's factory, then `new` on what it returns, with the `i18n` Kommo gives the widget
    /// read from `i18n/<locale>.json`), and reports what its callbacks give back.
    func runScript(locale: String = "en", params: String = #"{"message": "{{message_text}}"}"#) throws -> [String: Any] {
        let harness = """
            const fs = require('fs');
            let factory = null;
            const define = (dependencies, make) => { factory = make; };
            new Function('define', fs.readFileSync(process.argv[2], 'utf8'))(define);
            const Widget = factory();
            const widget = new Widget();
            const texts = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
            widget.i18n = (key) => texts[key];
            const callbacks = widget.callbacks;
            process.stdout.write(JSON.stringify({
              callbacks: Object.keys(callbacks).filter((name) => typeof callbacks[name] === 'function'),
              designer: callbacks.salesbotDesignerSettings(null, null, {}),
              saved: JSON.parse(callbacks.onSalesbotDesignerSave('leadwire_reply', JSON.parse(process.argv[4])))
            }));
            """
        let script = unpacked.appending(path: "harness.js")
        try harness.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let run = try ServerProcess.runToEnd(
            "/usr/bin/node", [script.path, unpacked.appending(path: "script.js").path, unpacked.appending(path: "i18n/\(locale).json").path, params])
        guard run.status == 0 else { throw TestSetupError("node failed: \(run.output)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
    }

    /// The widget_request handler of the bot code the step saves: its `url` and `data`.
    func widgetRequestHandler() throws -> (url: String, data: [String: Any]) {
        let saved = try #require(try runScript()["saved"] as? [[String: Any]])
        let first = try #require((saved.first?["question"] as? [[String: Any]])?.first)
        #expect(first["handler"] as? String == "widget_request")
        let params = try #require(first["params"] as? [String: Any])
        return (try #require(params["url"] as? String), try #require(params["data"] as? [String: Any]))
    }
}
