import Foundation
import Testing

/// `runtime widget-archive`: the zip Kommo uploads, checked as Kommo's widget documentation
/// describes it (files at the root, the manifest's keys, a language file per locale, five logos
/// in their sizes) and its script run in a real JavaScript engine.
@Suite struct WidgetArchiveTests {
    let scratch = Scratch("widget-archive")

    @Test func theZipHoldsTheWidgetsFilesAtItsRoot() throws {
        let archive = try WidgetArchiveRun(in: scratch)
        #expect(try archive.listing() == [
            "i18n/en.json", "i18n/es.json", "i18n/ru.json", "images/logo.png", "images/logo_main.png", "images/logo_medium.png",
            "images/logo_min.png", "images/logo_small.png", "manifest.json", "script.js",
        ])
        #expect(try ServerProcess.runToEnd("/usr/bin/unzip", ["-tq", archive.zip.path]).status == 0)
        // The addresses are written in, and no placeholder is left.
        for path in try archive.listing() where path.hasSuffix(".js") || path.hasSuffix(".json") {
            let text = try String(contentsOf: archive.unpacked.appending(path: path), encoding: .utf8)
            #expect(!text.contains("__LEADWIRE_"), "\(path)")
        }
        #expect((try archive.json("manifest.json")["widget"] as? [String: Any])?["support"] as? [String: String] == ["link": WidgetArchiveRun.deploymentURL])
    }

    @Test func theManifestHasTheKeysKommoRequiresAndNamesOnlyWhatTheArchiveHas() throws {
        let archive = try WidgetArchiveRun(in: scratch)
        let manifest = try archive.json("manifest.json")
        let widget = try #require(manifest["widget"] as? [String: Any])
        for key in ["name", "description", "short_description", "version", "interface_version", "locale", "installation", "support"] {
            #expect(widget[key] != nil, "widget.\(key) is missing")
        }
        #expect(widget["installation"] as? Bool == true, "without it Kommo shows no Install button")
        let locations = try #require(manifest["locations"] as? [String])
        #expect(locations.contains("salesbot_designer"))
        // The settings location needs a settings object, or Kommo refuses the upload.
        #expect(!locations.contains("settings") || manifest["settings"] is [String: Any])
        let designer = try #require(manifest["salesbot_designer"] as? [String: Any])
        let handlers = designer.filter { $0.key != "logo" }
        #expect(handlers.count == 1)
        let handler = try #require(handlers.first?.value as? [String: Any])
        let settings = try #require(handler["settings"] as? [String: [String: Any]])
        #expect(settings["message"]?["type"] as? String == "text")
        if let logo = designer["logo"] as? String { #expect(FileManager.default.fileExists(atPath: archive.unpacked.path + logo), "\(logo)") }

        // Every locale named has its file, and every text the manifest names is in each.
        let locales = try #require(widget["locale"] as? [String])
        #expect(Set(locales) == ["en", "ru", "es"])
        var names = [widget["name"], widget["description"], widget["short_description"], handler["name"]].compactMap { $0 as? String }
        names += settings.values.compactMap { $0["name"] as? String }
        for locale in locales {
            let texts = try archive.json("i18n/\(locale).json")
            for name in names {
                let parts = name.split(separator: ".").map(String.init)
                let text = (texts[parts[0]] as? [String: Any])?[parts[1]] as? String
                #expect(!(text ?? "").isEmpty, "i18n/\(locale).json has no \(name)")
            }
            // The script's exit titles.
            let salesbot = texts["salesbot"] as? [String: String]
            #expect(salesbot?["exit_success"] != nil && salesbot?["exit_fail"] != nil, "\(locale)")
        }

        // The five logos, each PNG in the size Kommo's documentation gives and under 300 KB.
        let sizes = ["logo.png": (130, 100), "logo_main.png": (400, 272), "logo_medium.png": (240, 84), "logo_min.png": (84, 84), "logo_small.png": (108, 108)]
        for (name, size) in sizes {
            let bytes = try [UInt8](Data(contentsOf: archive.unpacked.appending(path: "images/\(name)")))
            #expect(bytes.count < 300 * 1024, "\(name)")
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && bytes[12..<16] == [0x49, 0x48, 0x44, 0x52][...], "\(name) is not a PNG")
            let bigEndian = { (offset: Int) in bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
            #expect(bigEndian(16) == size.0 && bigEndian(20) == size.1, "\(name) is \(bigEndian(16))x\(bigEndian(20)), not \(size.0)x\(size.1)")
        }
    }

    @Test(arguments: ["en", "ru", "es"])
    func theScriptSavesAWidgetRequestStepToTheDeployment(locale: String) throws {
        let archive = try WidgetArchiveRun(in: scratch)
        let run = try archive.runScript(locale: locale)
        let callbacks = Set(try #require(run["callbacks"] as? [String]))
        #expect(callbacks.isSuperset(of: ["render", "init", "bind_actions", "settings", "onSave", "destroy", "salesbotDesignerSettings", "onSalesbotDesignerSave"]))
        // The designer offers two exits, titled in the account's language.
        let texts = try #require(try archive.json("i18n/\(locale).json")["salesbot"] as? [String: String])
        let exits = try #require((run["designer"] as? [String: Any])?["exits"] as? [[String: String]])
        #expect(exits == [["code": "success", "title": texts["exit_success"]!], ["code": "fail", "title": texts["exit_fail"]!]])

        // First step: post to widget-request with the lead's placeholders, then wait for the reply.
        let steps = try #require(run["saved"] as? [[String: Any]])
        #expect(steps.count == 2)
        let request = try archive.widgetRequestHandler()
        #expect(request.url == WidgetArchiveRun.deploymentURL + "/widget-request")
        #expect(request.data["message"] as? String == "{{message_text}}")
        #expect(request.data["lead_id"] as? String == "{{lead.id}}")
        #expect(request.data["from"] as? String == "widget")
        let first = try #require(steps[0]["question"] as? [[String: Any]])
        #expect(first.last?["handler"] as? String == "goto")
        // Second step: the reply's status picks the exit.
        let second = try #require(steps[1]["question"] as? [[String: Any]])
        let condition = try #require((second.first?["params"] as? [String: Any])?["conditions"] as? [[String: String]])
        #expect(condition == [["term1": "{{json.status}}", "term2": "ok", "operation": "="]])
        #expect((second.last?["params"] as? [String: String])?["value"] == "fail")
    }

    @Test func aTypedMessageIsWhatTheStepSends() throws {
        let run = try WidgetArchiveRun(in: scratch).runScript(params: #"{"message": "What does delivery cost?"}"#)
        let saved = try #require(run["saved"] as? [[String: Any]])
        let data = ((saved[0]["question"] as? [[String: Any]])?[0]["params"] as? [String: Any])?["data"] as? [String: Any]
        #expect(data?["message"] as? String == "What does delivery cost?")
    }

    @Test(arguments: ["http://leads.example.com", "leads.example.com", "https://leads.example.com/?x=1", "https://leads.example.com/a'b", "https://"])
    func anAddressKommoCannotUseIsRefused(url: String) throws {
        let out = scratch.folder.appending(path: "refused-\(UUID().uuidString).zip")
        let run = try ServerProcess.runToEnd(
            try Products.url("runtime").path, ["widget-archive", "--url", url, "--out", out.path, "--from", WidgetArchiveRun.repositoryWidget.path])
        #expect(run.status != 0)
        #expect(run.output.contains("--url"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aMissingWidgetFolderIsNamed() throws {
        let run = try ServerProcess.runToEnd(try Products.url("runtime").path, ["widget-archive", "--url", WidgetArchiveRun.deploymentURL, "--from", "/nonexistent/widget"])
        #expect(run.status != 0)
        #expect(run.output.contains("No widget folder at /nonexistent/widget"), "\(run.output)")
    }
}
