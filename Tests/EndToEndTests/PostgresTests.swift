import Foundation
import FunctionKit
import LeadwireStore
import TestSupport
import Testing

/// What only PostgreSQL users meet: several hosts on one database, a Supabase project moving
/// in, concurrent migrators, and a kept connection the server dropped. Runs on the PostgreSQL
/// pass of `scripts/test` (the rest of the suite runs on both backends).
@Suite(.enabled(if: TestStore.isPostgres, "needs LEADWIRE_TEST_POSTGRES_URL"))
struct PostgresTests {
    let scratch = Scratch("postgres")

    func runtime(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.runToEnd(try Products.url("runtime").path, arguments, environment: scratch.openSettings.merging(["PATH": "/usr/bin:/bin"]) { $1 })
    }

    /// Seed 000's tables exactly as its Supabase project defined them, with rows in them.
    static let supabaseTables = """
        CREATE TABLE kommo_leads (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(), kommo_id bigint UNIQUE NOT NULL, name text, status_id integer,
            pipeline_id integer, responsible_user_id integer, price decimal, event_type text, is_deleted boolean DEFAULT false,
            raw_data jsonb, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());
        CREATE TABLE kommo_webhook_logs (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(), event_type text, payload jsonb, results jsonb, status text,
            error_message text, created_at timestamptz DEFAULT now());
        INSERT INTO kommo_leads (kommo_id, name, status_id, price, event_type, raw_data, created_at)
            VALUES (25399013, 'From Supabase', 142, 1500.50, 'created', '{"id": 25399013}', '2025-05-01T10:00:00Z'),
                   (111, 'Untouched', 1, NULL, 'updated', NULL, '2025-05-02T10:00:00Z');
        INSERT INTO kommo_webhook_logs (event_type, payload, results, status, created_at)
            VALUES ('leads_add', '{"leads": {}}', '[]', 'success', '2025-05-01T10:00:00Z'),
                   ('leads_update', '{"leads": {}}', '[]', 'error', '2025-05-02T10:00:00Z');
        """

    @Test func aSupabaseDatabaseKeepsItsRowsAndItsLeadsGoOnUpdating() async throws {
        try TestStore.psql(scratch.databaseURL, Self.supabaseTables)
        let migrated = try runtime(["migrate"])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.output.contains("schema version \(try scratch.database().schemaVersion())"))

        let database = try scratch.database()
        #expect(try database.query("SELECT name, account_id, price FROM kommo_leads ORDER BY kommo_id").map(\.values) == [
            [.text("Untouched"), .integer(0), .null], [.text("From Supabase"), .integer(0), .real(1500.5)],
        ])
        // The old logs are numbered in time order, and new ones follow without a gap.
        #expect(try database.query("SELECT log_seq, status FROM kommo_webhook_logs ORDER BY log_seq").map(\.values) == [
            [.integer(1), .text("success")], [.integer(2), .text("error")],
        ])

        // A webhook for the Supabase lead updates that row (its account adopts it), not a copy.
        let (server, base) = try await startRuntime(in: scratch)
        let answer = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(action: "update", id: 25399013, name: "Updated via Leadwire"))
        #expect(answer.status == 200, "\(answer.body)")
        #expect(try database.query("SELECT name, account_id FROM kommo_leads WHERE kommo_id = 25399013").map(\.values) == [
            [.text("Updated via Leadwire"), .integer(29085730)]
        ])
        #expect(try database.queryRow("SELECT max(log_seq), count(*) FROM kommo_webhook_logs")?.values == [.integer(3), .integer(3)])
        // And the admin logs list the old rows beside the new one.
        let key = try runtime(["keys", "create", "--name", "reader", "--scopes", "logs:read"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let logs = try await http("GET", base + "/api/admin/webhook-logs?source=kommo", headers: ["Authorization": "Bearer \(key)"])
        #expect(logs.status == 200, "\(logs.body)")
        #expect(try JSONValue(parsing: logs.body)["logs"]?.elements?.count == 3, "\(logs.body)")
        _ = server
    }

    @Test func migratorsStartingTogetherAllSucceed() async throws {
        let executable = try Products.url("runtime").path
        let environment = scratch.openSettings.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        let runs = await atOnce(8) { _ in try ServerProcess.runToEnd(executable, ["migrate"], environment: environment).status }
        #expect(runs.peakOverlap() >= 4, "the migrators did not start together")
        #expect(runs.map { (try? $0.result.get()) ?? -1 } == Array(repeating: 0, count: 8))
        #expect(try scratch.database().queryRow("SELECT count(*) FROM leadwire_schema")?[0] == .integer(1))
    }

    /// Two runtimes on two ports stand in for two hosts behind a load balancer: the same leads
    /// arrive at both at once, in several versions.
    @Test func twoHostsOnOneDatabaseKeepEveryRule() async throws {
        let (first, firstBase) = try await startRuntime(in: scratch)
        let (second, secondBase) = try await startRuntime(in: scratch)
        var requests: [(base: String, path: String, body: String, contentType: String)] = []
        for lead in 1...10 {
            for version in 1...4 {
                let form = kommoLeadForm(action: "update", id: lead, name: "Lead \(lead) v\(version)", updatedAt: 1_700_000_000 + version)
                requests += [firstBase, secondBase].map { ($0, "/kommo-webhook", form, "application/x-www-form-urlencoded") }
            }
        }
        for deal in 1...3 {
            let form = amoWonDealForm(id: deal, utmSource: "ref_P\(deal)")
            requests += [firstBase, secondBase, firstBase, secondBase].map { ($0, "/webhook/amocrm", form, "application/x-www-form-urlencoded") }
        }
        for call in 1...6 {
            let json = knowlarityCallJSON(uuid: "call-\(call)", phone: "+91 80198 58999")
            requests.append((call % 2 == 0 ? firstBase : secondBase, "/webhooks/knowlarity", json, "application/json"))
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for request in requests.shuffled() {
                group.addTask {
                    try await http("POST", request.base + request.path, body: request.body, headers: ["Content-Type": request.contentType]).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == requests.count && statuses.allSatisfy { $0 == 200 })
        let database = try scratch.database()
        // One row per lead, holding its newest version whatever order the versions landed in.
        #expect(try database.queryRow("SELECT count(*), count(DISTINCT kommo_id) FROM kommo_leads")?.values == [.integer(10), .integer(10)])
        let names = try database.query("SELECT name FROM kommo_leads ORDER BY kommo_id").compactMap { $0[0].text }
        #expect(names == (1...10).map { "Lead \($0) v4" })
        // One sale per deal, one lead per phone.
        #expect(try database.queryRow("SELECT count(*) FROM referral_sales")?[0] == .integer(3))
        #expect(try database.queryRow("SELECT count(*) FROM leads_master")?[0] == .integer(1))
        #expect(try database.queryRow("SELECT count(*) FROM knowlarity_calls WHERE lead_outcome = 'new_lead'")?[0] == .integer(1))
        // Log rows numbered 1…N across both tables: no gap, no repeat.
        let numbers = try database.query("SELECT log_seq FROM inbound_logs ORDER BY log_seq").compactMap { $0[0].integer }
        #expect(numbers == Array(1...Int64(numbers.count)))
        #expect(numbers.count == 80 + 12 + 6)
        _ = (first, second)
    }

    /// A FastCGI function keeps its connection; when the server drops it (a restart, a proxy's
    /// idle timeout), the next request connects again instead of failing.
    @Test func aDroppedConnectionIsReplacedOnTheNextRequest() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        #expect(try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: kommoLeadForm(id: 1, name: "Before")).output.status == 200)
        let schema = try #require(scratch.databaseURL.firstMatch(of: /application_name=(\w+)/)?.output.1)
        try TestStore.psql(
            scratch.databaseURL, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(schema)' AND pid <> pg_backend_pid()")
        let after = try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: kommoLeadForm(id: 2, name: "After"))
        #expect(after.output.status == 200)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(2))
    }

    /// Each request's log line says how many round trips it took; once a kept process has
    /// prepared its statements, a lead event takes two.
    @Test func eachRequestLogsItsRoundTrips() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        for version in 1...3 {
            let body = kommoLeadForm(action: "update", id: 1, name: "Version \(version)", updatedAt: 100 + version)
            #expect(try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: body).output.status == 200)
        }
        var roundTrips: [Int] = []
        try await waitUntil("3 request lines") {
            roundTrips = function.logText.split(separator: "\n").compactMap { line in
                guard line.contains("\"event\":\"request\""), let match = line.firstMatch(of: /"round_trips":(\d+)/) else { return nil }
                return Int(match.1)
            }
            return roundTrips.count >= 3
        }
        #expect(roundTrips.last == 2, "\(roundTrips)")
        #expect(roundTrips.first ?? 0 > 2, "the first request also opened the store: \(roundTrips)")
    }

    /// A database that refuses connections: the webhook answers 503 (its sender retries) and
    /// health says why; nothing answers 200 without a row.
    @Test func aDatabaseThatIsDownAnswers503() async throws {
        let down = ["LEADWIRE_DATABASE_URL": "postgres://leadwire@127.0.0.1:1/leadwire?connect_timeout=2"]
        let webhook = try runCGI(
            "kommo-webhook",
            environment: down.merging([
                "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/kommo-webhook", "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": String(kommoLeadForm(id: 1, name: "Lost?").utf8.count), "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none",
            ]) { $1 }, stdin: Data(kommoLeadForm(id: 1, name: "Lost?").utf8))
        #expect(webhook.status == 503)
        #expect(webhook.body.contains("store_unavailable"))
        let health = try runCGI("health", environment: down.merging(["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/health"]) { $1 }, stdin: Data())
        #expect(health.status == 503)
    }
}
