import Admin
import Foundation
import LeadwireStore
import Testing

/// The logs viewer in a real browser (Debian's chromium, headless) against real data: what a
/// person opening the page would see.
@Suite struct ViewerBrowserTests {
    static let chromium = "/usr/bin/chromium"

    /// The page's DOM once its scripts have run.
    func render(_ url: String) throws -> String {
        String(decoding: try chromium(["--dump-dom", url]), as: UTF8.self)
    }

    /// Runs headless Chromium with `arguments` and returns what it printed.
    /// --virtual-time-budget lets the page's fetches finish before Chromium reads or draws it.
    func chromium(_ arguments: [String]) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: Self.chromium) else {
            throw TestSetupError("chromium is not installed: run scripts/setup (apt-get install chromium)")
        }
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: Self.chromium)
        browser.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000"] + arguments
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        browser.waitUntilExit()
        return printed
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

    /// The dashboard in Chromium on a store of known data: every bar's number (its title) is the
    /// SQL count of the same rows for that local day, and a screenshot of the filled page is
    /// attached to the test's output.
    @Test func theDashboardShowsTheStoresCountsPerLocalDay() async throws {
        let scratch = Scratch("dashboard")
        let key = try ApiKeys(database: scratch.database()).create(name: "dashboard", scopes: [.statsRead])
        let (server, base) = try await startRuntime(
            in: scratch, settings: ["LEADWIRE_TIME_ZONE": "+05:30", "LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])
        for id in 1...5 { _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: id, name: "Lead \(id)")) }
        for (uuid, phone, duration) in [("d1", "8019858999", 40), ("d2", "8019858999", 0), ("d3", "9000000001", 15)] {
            let call = #"{"uuid":"\#(uuid)","customer_number":"+91\#(phone)","call_duration":"\#(duration)"}"#
            _ = try await http("POST", base + "/webhooks/knowlarity", body: call, headers: ["Content-Type": "application/json"])
        }
        _ = try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 41, utmSource: "kenesary_fb"))
        _ = try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 42, utmSource: "ref_ABC"))
        let database = try scratch.database()
        // India time: 19:00 UTC is 00:30 the next day.
        try database.run("UPDATE kommo_leads SET created_at = '2026-11-02T10:00:00.000Z' WHERE kommo_id <= 3")
        try database.run("UPDATE kommo_leads SET created_at = '2026-11-02T19:00:00.000Z' WHERE kommo_id > 3")
        try database.run("UPDATE knowlarity_calls SET started_at = '2026-11-01T05:00:00.000000Z'")
        try database.run("UPDATE all_sales_tracking SET sold_at = '2026-11-03T05:00:00.000Z'")
        try database.run("UPDATE referral_sales SET sold_at = '2026-11-02T05:00:00.000Z'")
        try database.run("UPDATE kommo_webhook_logs SET created_at = '2026-11-02T10:00:00.000Z'")
        try database.run("UPDATE webhook_logs SET received_at = '2026-11-02T10:00:00.000Z'")

        let dom = try render(base + "/api/admin/dashboard#key=\(key)&from=2026-11-01&to=2026-11-03")
        #expect(dom.contains("From 2026-11-01 to 2026-11-03 (+05:30), per day."), "\(dom.suffix(3000))")
        // Each local day's bounds in UTC, and the same rows counted by SQL.
        let days = [("2026-11-01", "2026-10-31T18:30:00.000Z", "2026-11-01T18:30:00.000Z"),
                    ("2026-11-02", "2026-11-01T18:30:00.000Z", "2026-11-02T18:30:00.000Z"),
                    ("2026-11-03", "2026-11-02T18:30:00.000Z", "2026-11-03T18:30:00.000Z")]
        for (day, start, end) in days {
            func count(_ sql: String) throws -> Int64 { try database.queryRow(sql, [.text(start), .text(end)])?[0].integer ?? -1 }
            let kommo = try count("SELECT count(*) FROM kommo_leads WHERE created_at >= ? AND created_at < ?")
            let callsStart = start.replacingOccurrences(of: ".000Z", with: ".000000Z")
            let callsEnd = end.replacingOccurrences(of: ".000Z", with: ".000000Z")
            func calls(_ condition: String) throws -> Int64 {
                try database.queryRow("SELECT count(*) FROM knowlarity_calls WHERE started_at >= ? AND started_at < ? AND \(condition)", [.text(callsStart), .text(callsEnd)])?[0].integer ?? -1
            }
            let traffic = try count("SELECT count(*) FROM all_sales_tracking WHERE sold_at >= ? AND sold_at < ? AND routing_decision = 'traffic'")
            let referral = try count("SELECT count(*) FROM referral_sales WHERE sold_at >= ? AND sold_at < ? AND routing_decision = 'referral'")
            #expect(dom.contains("<title>\(day) · Kommo new: \(kommo)</title>"), "\(day) Kommo")
            #expect(dom.contains("<title>\(day) · Knowlarity new: \(try calls("lead_outcome = 'new_lead'"))</title>"))
            #expect(dom.contains("<title>\(day) · Knowlarity repeat: \(try calls("lead_outcome <> 'new_lead'"))</title>"))
            #expect(dom.contains("<title>\(day) · answered: \(try calls("call_duration_seconds > 0"))</title>"))
            #expect(dom.contains("<title>\(day) · missed: \(try calls("coalesce(call_duration_seconds, 0) = 0"))</title>"))
            #expect(dom.contains("<title>\(day) · traffic: \(traffic) (amount"), "\(day) traffic")
            #expect(dom.contains("<title>\(day) · referral: \(referral) (amount"), "\(day) referral")
        }
        #expect(dom.contains("<title>2026-11-02 · Kommo new: 3</title>") && dom.contains("<title>2026-11-03 · Kommo new: 2</title>"))
        #expect(dom.contains("Calls that became new leads: 67%"))
        #expect(dom.contains("<td>Kenesary</td>"))
        for source in ["kommo", "knowlarity", "amocrm"] {
            let success = try database.queryRow("SELECT count(*) FROM inbound_logs WHERE source = ? AND status = 'success'", [.text(source)])?[0].integer ?? -1
            #expect(dom.contains("<td>\(source)</td><td>\(success)</td><td>0</td><td>0</td>"), "intake of \(source)")
        }

        // The filled page, for people to look at.
        let screenshot = scratch.folder.appending(path: "dashboard.png")
        try screenshotOf(base + "/api/admin/dashboard#key=\(key)&from=2026-11-01&to=2026-11-03", to: screenshot)
        let image = try Data(contentsOf: screenshot)
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        Attachment.record(Array(image), named: "dashboard.png")

        // An empty range draws empty charts and says so, with no error.
        let empty = try render(base + "/api/admin/dashboard#key=\(key)&from=2020-01-01&to=2020-01-07")
        #expect(empty.contains("From 2020-01-01 to 2020-01-07 (+05:30), per day."))
        #expect(empty.contains("<title>2020-01-01 · Kommo new: 0</title>"))
        #expect(empty.contains("Nothing in this range."))
        #expect(empty.contains("Calls that became new leads: no calls"))
        _ = server
    }

    func screenshotOf(_ url: String, to file: URL) throws {
        _ = try chromium(["--hide-scrollbars", "--window-size=1280,1500", "--screenshot=\(file.path)", url])
    }
}
