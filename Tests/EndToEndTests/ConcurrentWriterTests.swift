import Foundation
import LeadwireStore
import Testing

/// One process per request means many writers at once: the normal case, not an edge case.
/// On the PostgreSQL pass these are the concurrency rules that hold without SQLite's single
/// writer: per-lead and per-phone turns, one sale per deal, the log numbering.
@Suite struct ConcurrentWriterTests {
    /// Runs `count` kommo-webhook processes at the same moment on one fresh database, so the
    /// first ones also race to create the schema.
    func deliverConcurrently(
        _ bodies: [String], to function: String = "kommo-webhook", path: String = "/kommo-webhook",
        contentType: String = "application/x-www-form-urlencoded", store: [String: String]
    ) async throws -> [CGIResult] {
        try await withThrowingTaskGroup(of: CGIResult.self) { group in
            for body in bodies {
                group.addTask {
                    let environment = store.merging([
                        "REQUEST_METHOD": "POST", "SCRIPT_NAME": path, "CONTENT_TYPE": contentType,
                        "CONTENT_LENGTH": String(body.utf8.count),
                    ]) { $1 }
                    return try runCGI(function, environment: environment, stdin: Data(body.utf8))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func fiftyConcurrentProcessesLoseNothing() async throws {
        let scratch = Scratch("concurrent")
        let bodies = (1...50).map { kommoLeadForm(id: 1000 + $0, name: "Lead \($0)") }
        let results = try await deliverConcurrently(bodies, store: scratch.openSettings)
        #expect(results.map(\.status) == Array(repeating: 200, count: 50))
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(DISTINCT kommo_id) FROM kommo_leads")?[0] == .integer(50))
        #expect(try database.queryRow("SELECT count(*) FROM kommo_webhook_logs WHERE status = 'success'")?[0] == .integer(50))
    }

    @Test func concurrentDuplicatesOfOneLeadMakeOneRow() async throws {
        let scratch = Scratch("duplicates")
        let body = kommoLeadForm(id: 77, name: "Same lead")
        let results = try await deliverConcurrently(Array(repeating: body, count: 20), store: scratch.openSettings)
        #expect(results.allSatisfy { $0.status == 200 })
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(1))
        let outcomes = try database.query("SELECT \(database.dialect.jsonText("results", ["0", "outcome"])) FROM kommo_webhook_logs").compactMap { $0[0].text }
        #expect(outcomes.filter { $0 == "inserted" }.count == 1)
        #expect(outcomes.filter { $0 == "duplicate" }.count == 19)
    }

    @Test func concurrentCallsFromOnePhoneMakeOneLead() async throws {
        let scratch = Scratch("same-phone")
        let bodies = (1...10).map { knowlarityCallJSON(uuid: "call-\($0)", phone: "+91 80198 58999") }
        let results = try await deliverConcurrently(
            bodies, to: "knowlarity-webhook", path: "/webhooks/knowlarity", contentType: "application/json", store: scratch.openSettings)
        #expect(results.allSatisfy { $0.status == 200 })
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(*) FROM leads_master")?[0] == .integer(1))
        #expect(try database.queryRow("SELECT count(*) FROM knowlarity_calls")?[0] == .integer(10))
        #expect(try database.queryRow("SELECT total_leads_count FROM sources")?[0] == .integer(1))
        let outcomes = try database.query("SELECT lead_outcome FROM knowlarity_calls").compactMap { $0[0].text }
        #expect(outcomes.filter { $0 == "new_lead" }.count == 1)
    }

    @Test func concurrentDeliveriesOfOneWonDealRecordOneSale() async throws {
        let scratch = Scratch("same-deal")
        let results = try await deliverConcurrently(
            Array(repeating: amoWonDealForm(id: 9, utmSource: "ref_P1"), count: 10), to: "amocrm-webhook", path: "/webhook/amocrm",
            store: scratch.openSettings)
        #expect(results.allSatisfy { $0.status == 200 })
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(*) FROM referral_sales")?[0] == .integer(1))
        #expect(try database.queryRow("SELECT count(*) FROM webhook_logs")?[0] == .integer(10))
    }
}
