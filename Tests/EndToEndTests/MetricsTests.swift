import Admin
import Foundation
import LeadwireStore
import Testing

/// `GET /metrics` through `runtime serve`, read as Prometheus reads it: Prometheus' own parser
/// (`promtool check metrics`, Debian's prometheus package) accepts it, and its numbers are the
/// store's.
@Suite struct MetricsTests {
    static let promtool = "/usr/bin/promtool"

    @Test func prometheusAcceptsTheMetricsAndTheyAreTheStoresCounts() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.promtool) else {
            throw TestSetupError("promtool is not installed: run scripts/setup test (apt-get install prometheus)")
        }
        let scratch = Scratch("metrics")
        let keys = ApiKeys(database: try scratch.database())
        let scraper = try keys.create(name: "prometheus", scopes: [.metricsRead])
        let frontend = try keys.create(name: "frontend", scopes: [.leadsRead])
        let (server, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])
        for id in 1...3 { _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: id, name: "Lead \(id)")) }
        _ = try await http("POST", base + "/kommo-webhook", body: #"{"leads":"#, headers: ["Content-Type": "application/json"])
        _ = try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 41, utmSource: "kenesary_fb"))
        let database = try scratch.database()
        try database.run(
            "INSERT INTO poll_cursors (name, polled_until, updated_at) VALUES ('knowlarity', '2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z')")

        #expect(try await http("GET", base + "/metrics").status == 401)
        #expect(try await http("GET", base + "/metrics", headers: ["Authorization": "Bearer " + frontend]).status == 403)
        let answer = try await http("GET", base + "/metrics", headers: ["Authorization": "Bearer " + scraper])
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")

        let file = scratch.folder.appending(path: "metrics.txt")
        try answer.body.write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try ServerProcess.runToEnd("/bin/sh", ["-c", "\(Self.promtool) check metrics < '\(file.path)'"])
        #expect(status == 0, "promtool: \(output)\n\(answer.body)")

        let lines = Set(answer.body.split(separator: "\n").map(String.init))
        let kommoSuccess = try database.queryRow("SELECT count(*) FROM kommo_webhook_logs WHERE status = 'success'")?[0].integer ?? -1
        #expect(kommoSuccess == 3)
        #expect(lines.contains(#"leadwire_intake_requests_total{source="kommo",status="success"} 3"#), "\(answer.body)")
        #expect(lines.contains(#"leadwire_intake_requests_total{source="kommo",status="error"} 1"#))
        #expect(lines.contains(#"leadwire_intake_requests_total{source="amocrm",status="success"} 1"#))
        #expect(lines.contains(#"leadwire_intake_processing_seconds_count{source="kommo"} 4"#))
        #expect(lines.contains(#"leadwire_intake_processing_seconds_bucket{source="kommo",le="+Inf"} 4"#))
        #expect(lines.contains("leadwire_poller_last_success_timestamp_seconds{poller=\"knowlarity\"} 1767225900"))
        #expect(lines.contains("leadwire_webhook_subscriptions_disabled 0"))
        #expect(lines.contains("leadwire_schema_version \(try database.schemaVersion())"))
        #expect(lines.contains { $0.hasPrefix("leadwire_database_size_bytes ") && !$0.hasSuffix(" 0") })

        // Later scrapes add what arrived since, once: nothing new twice, then two more leads.
        func kommoSuccesses() async throws -> String? {
            let body = try await http("GET", base + "/metrics", headers: ["Authorization": "Bearer " + scraper]).body
            return body.split(separator: "\n").first { $0.hasPrefix(#"leadwire_intake_requests_total{source="kommo",status="success"}"#) }.map(String.init)
        }
        #expect(try await kommoSuccesses() == #"leadwire_intake_requests_total{source="kommo",status="success"} 3"#)
        for id in 4...5 { _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: id, name: "Lead \(id)")) }
        #expect(try await kommoSuccesses() == #"leadwire_intake_requests_total{source="kommo",status="success"} 5"#)
        #expect(try await kommoSuccesses() == #"leadwire_intake_requests_total{source="kommo",status="success"} 5"#)
        _ = server
    }
}
