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
        let key = try ApiKeys(database: scratch.database()).create(name: "viewer", scopes: [.logsRead])
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

    @Test func aPersonSeesEachSubscriptionsDeliveriesAndCanActOnThem() async throws {
        let scratch = Scratch("deliveries-viewer")
        let key = try ApiKeys(database: scratch.database()).create(name: "viewer", scopes: [.webhooksManage])
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base) = try await startRuntime(
            in: scratch,
            settings: ["LEADWIRE_SECRET_KEY": String(repeating: "1f", count: 32), "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1", "LEADWIRE_WORKER_POLL_MS": "50"])
        let admin = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        for (name, url) in [("Working CRM", receiver.base + "/ok"), ("Gone CRM", receiver.base + "/gone"), ("Closed port", "http://127.0.0.1:1/hook")] {
            let body = #"{"name":"\#(name)","url":"\#(url)","events":["lead.created"],"retryAttempts":0}"#
            #expect(try await http("POST", base + "/api/admin/webhooks", body: body, headers: admin).status == 201)
        }
        _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 8, name: "Onward"))
        _ = try await receiver.wait(for: "both receivers' deliveries") { $0.count >= 2 }
        var dom = ""
        for _ in 0..<50 {
            dom = try render(base + "/api/admin/webhooks/viewer#key=" + key)
            if dom.contains("Switched off") && dom.contains("status-failed") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(dom.contains("3 subscriptions."))
        #expect(dom.contains("1 delivered, 0 failed"))
        #expect(dom.contains(#"<span class="badge status-success">success</span>"#))
        #expect(dom.contains(#"<span class="badge state-disabled">disabled</span>"#))
        #expect(dom.contains("Switched off: the receiver answered 410 Gone"))
        #expect(dom.contains("Re-enable"))
        #expect(dom.contains(#"<span class="badge status-failed">failed</span>"#))
        #expect(dom.contains("Retry"), "a failed message can be retried from the page")
        #expect(dom.contains("lead.created"))

        let refused = try render(base + "/api/admin/webhooks/viewer#key=lw_wrong")
        #expect(refused.contains("The admin key is not valid, or it was revoked."))
        _ = server
    }

    /// A frontend on another origin reads leads through CORS when its origin is listed; a page
    /// on an origin not listed is blocked by the browser, though it holds a valid key.
    @Test func aListedOriginsPageReadsLeadsAndAnotherOriginsPageIsBlocked() async throws {
        let scratch = Scratch("cross-origin")
        let key = try ApiKeys(database: scratch.database()).create(name: "frontend", scopes: [.leadsRead])
        let page = #"""
            <!doctype html><html><body><pre id="out">waiting</pre><script>
            var given = new URLSearchParams(location.search);
            fetch(given.get("api") + "/api/leads?is_deleted=false", { headers: { "Authorization": "Bearer " + given.get("key") } })
              .then(function (response) { return response.json(); })
              .then(function (body) { document.getElementById("out").textContent = "read: " + body.leads.map(function (lead) { return lead.name; }).join(","); })
              .catch(function (error) { document.getElementById("out").textContent = "blocked: " + error.name; });
            </script></body></html>
            """#
        let server = #"""
            import functools, http.server, sys
            port, folder = int(sys.argv[1]), sys.argv[2]
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            print("ready", flush=True)
            httpd.serve_forever()
            """#
        let listed = try await PythonStandIn("listed-origin", script: server, scratch: scratch)
        let other = try await PythonStandIn("other-origin", script: server, scratch: scratch)
        for origin in [listed, other] { try Data(page.utf8).write(to: origin.folder.appending(path: "page.html")) }
        let (runtime, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_CORS_ORIGINS": "http://127.0.0.1:\(listed.port)"])
        _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 71, name: "Cross Origin Lead"))

        let query = "?api=" + base + "&key=" + key
        let read = try render("http://127.0.0.1:\(listed.port)/page.html" + query)
        #expect(read.contains("read: Cross Origin Lead"), "\(read)")
        let blocked = try render("http://127.0.0.1:\(other.port)/page.html" + query)
        #expect(blocked.contains("blocked: TypeError"), "\(blocked)")
        #expect(!blocked.contains("Cross Origin Lead"))
        _ = runtime
    }
}
