import Admin
import Foundation
import LeadwireStore
import Testing

/// The logs viewer in a real browser (Debian's chromium, headless) against real data: what a
/// person opening the page would see.
@Suite struct ViewerBrowserTests {
    static let chromium = "/usr/bin/chromium"

    func render(_ url: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: Self.chromium) else {
            throw TestSetupError("chromium is not installed: run scripts/setup (apt-get install chromium)")
        }
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: Self.chromium)
        // --virtual-time-budget lets the page's fetch finish before the DOM is read.
        browser.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom", url]
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        return dom
    }

    @Test func aPersonSeesColourCodedLogsWithTheirDetails() async throws {
        let scratch = Scratch("viewer")
        let key = try ApiKeys(database: Database(path: scratch.databasePath)).create(name: "viewer", scopes: [.logsRead])
        let (server, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])
        _ = try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 41, utmSource: "kenesary_fb"))
        _ = try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 42, utmSource: "ref_ABC"))
        _ = try await http("POST", base + "/kommo-webhook", body: #"{"leads":"#, headers: ["Content-Type": "application/json"])

        let dom = try render(base + "/api/admin/webhook-logs/viewer#key=" + key)
        #expect(dom.contains("3 logs shown, newest first."))
        #expect(dom.contains(#"<span class="badge route-traffic">traffic</span>"#))
        #expect(dom.contains(#"<span class="badge route-referral">referral</span>"#))
        #expect(dom.contains(#"<span class="badge status-error">error</span>"#))
        #expect(dom.components(separatedBy: #"<span class="badge status-success">success</span>"#).count - 1 == 2)
        #expect(dom.contains("invalid_json: The body is not valid JSON"))
        #expect(dom.contains("kenesary_fb"))
        #expect(dom.contains("<summary>JSON</summary>"))

        let refused = try render(base + "/api/admin/webhook-logs/viewer#key=lw_wrong")
        #expect(refused.contains("The admin key is not valid, or it was revoked."))
        #expect(!refused.contains(#"<span class="badge"#))
        _ = server
    }
}
