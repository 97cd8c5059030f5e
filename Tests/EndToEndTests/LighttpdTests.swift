import Admin
import Foundation
import LeadwireStore
import Testing

/// kommo-webhook behind a real web server: lighttpd with mod_cgi, configured by
/// `runtime host-config lighttpd` from the same catalog the runtime routes by.
@Suite(.serialized) struct LighttpdTests {
    static let lighttpd = "/usr/sbin/lighttpd"
    let scratch = Scratch("lighttpd")

    func startLighttpd(settings: [String: String] = [:]) async throws -> (ServerProcess, String) {
        guard FileManager.default.isExecutableFile(atPath: Self.lighttpd) else {
            throw TestSetupError("lighttpd is not installed: run scripts/setup (apt-get install lighttpd)")
        }
        let port = try freePort()
        let generator = Process()
        generator.executableURL = try Products.url("runtime")
        generator.arguments = ["host-config", "lighttpd", "--port", String(port), "--state-dir", scratch.folder.path, "--database", scratch.databasePath]
        generator.environment = ["PATH": "/usr/bin:/bin"].merging(settings) { $1 }
        let output = Pipe()
        generator.standardOutput = output
        try generator.run()
        let config = output.fileHandleForReading.readDataToEndOfFile()
        generator.waitUntilExit()
        let configURL = scratch.folder.appending(path: "lighttpd.conf")
        try config.write(to: configURL)

        let server = try ServerProcess(
            executable: URL(fileURLWithPath: Self.lighttpd), arguments: ["-D", "-f", configURL.path], environment: [:],
            log: scratch.folder.appending(path: "lighttpd.out"))
        let base = "http://127.0.0.1:\(port)"
        // Ready when it answers; the function's own 405 proves CGI works end to end.
        for _ in 0..<100 {
            if let probe = try? await http("GET", base + "/kommo-webhook", timeout: 2), probe.status == 405 { return (server, base) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("lighttpd did not answer on \(base); see \(scratch.folder.path)")
    }

    @Test func formEncodedKommoEventsArriveThroughLighttpd() async throws {
        let (server, base) = try await startLighttpd()
        let response = try await http(
            "POST", base + "/kommo-webhook", body: kommoLeadForm(id: 31, name: "Via lighttpd"),
            headers: ["Content-Type": "application/x-www-form-urlencoded", "User-Agent": "amoCRM-WebHook-client/1.0"])
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let seed = try await http(
            "POST", base + "/functions/v1/kommo-webhook",
            body: #"{"leads":{"add":[{"id":999999,"name":"Test Lead","status_id":123,"pipeline_id":456}]}}"#,
            headers: ["Content-Type": "application/json"])
        #expect(seed.status == 200)
        let names = try Database(path: scratch.databasePath).query("SELECT name FROM kommo_leads ORDER BY kommo_id").map { $0[0] }
        #expect(names == ["Via lighttpd", "Test Lead"])
        _ = server
    }

    @Test func settingsReachTheFunctionThroughTheHostConfig() async throws {
        let (server, base) = try await startLighttpd(settings: [
            "LEADWIRE_KOMMO_WEBHOOK_TOKEN": "from-config", "LEADWIRE_MAX_BODY_BYTES": "2000",
        ])
        let body = kommoLeadForm(id: 32, name: "Token")
        let headers = ["Content-Type": "application/x-www-form-urlencoded"]
        #expect(try await http("POST", base + "/kommo-webhook", body: body, headers: headers).status == 401)
        #expect(try await http("POST", base + "/kommo-webhook?token=from-config", body: body, headers: headers).status == 200)
        let large = body + "&leads%5Badd%5D%5B0%5D%5Bnote%5D=" + String(repeating: "x", count: 3000)
        #expect(try await http("POST", base + "/kommo-webhook?token=from-config", body: large, headers: headers).status == 413)
        _ = server
    }

    @Test func amoCRMAndKnowlarityArriveThroughLighttpd() async throws {
        let (server, base) = try await startLighttpd(settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])
        // The seed's webhook URL ends in a slash; the test URL is a subpath.
        let sale = try await http(
            "POST", base + "/webhook/amocrm/", body: amoWonDealForm(id: 77, utmSource: "kenesary_fb"),
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(sale.status == 200)
        #expect(sale.body.contains(#""routing_decision":"traffic""#))
        let probe = try await http("GET", base + "/webhook/amocrm/test")
        #expect(probe.status == 200)
        #expect(probe.body.contains("Unified AmoCRM webhook endpoint is active"))
        let call = try await http(
            "POST", base + "/webhooks/knowlarity", body: knowlarityCallJSON(uuid: "lt-1"), headers: ["Content-Type": "application/json"])
        #expect(call.status == 200)
        let database = try Database(path: scratch.databasePath)
        #expect(try database.queryRow("SELECT targetologist FROM all_sales_tracking")?[0] == "Kenesary")
        #expect(try database.queryRow("SELECT count(*) FROM leads_master")?[0] == .integer(1))
        #expect(try database.query("SELECT source FROM webhook_logs ORDER BY id").map { $0[0] } == ["amocrm", "knowlarity"])
        _ = server
    }

    @Test func adminEndpointsReceiveTheAuthorizationHeaderThroughLighttpd() async throws {
        let key = try ApiKeys(database: Database(path: scratch.databasePath)).create(name: "ops", scopes: [.logsRead, .export])
        let (server, base) = try await startLighttpd()
        _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 51, name: "Export me"))
        #expect(try await http("GET", base + "/api/admin/webhook-logs").status == 401)
        let logs = try await http("GET", base + "/api/admin/webhook-logs?source=kommo", headers: ["Authorization": "Bearer \(key)"])
        #expect(logs.status == 200)
        #expect(logs.body.contains("Export me"))
        let csv = try await http("GET", base + "/api/admin/export/kommo-leads/csv?fields=kommo_id,name", headers: ["Authorization": "Bearer \(key)"])
        #expect(csv.status == 200)
        #expect(csv.body == "kommo_id,name\r\n51,Export me\r\n")
        _ = server
    }
}
