import Foundation
import LeadwireStore
import TestSupport
import Testing

/// One process per request means many writers at once: the normal case, not an edge case.
/// On the PostgreSQL pass these are the concurrency rules that hold without SQLite's single
/// writer: per-lead and per-phone turns, one sale per deal, the log numbering.
@Suite struct ConcurrentWriterTests {
    /// Runs one process per body at the same moment (each on a thread of its own, released
    /// together once all are ready) on one fresh database, so the first ones also race to
    /// create the schema. Returns the answers in the bodies' order; fails unless several
    /// processes really ran at once.
    func deliverConcurrently(
        _ bodies: [String], to function: String = "kommo-webhook", path: String = "/kommo-webhook",
        contentType: String = "application/x-www-form-urlencoded", store: [String: String]
    ) async throws -> [CGIResult] {
        let all = await atOnce(bodies.count) { index in
            let body = bodies[index]
            let environment = store.merging([
                "REQUEST_METHOD": "POST", "SCRIPT_NAME": path, "CONTENT_TYPE": contentType, "CONTENT_LENGTH": String(body.utf8.count),
            ]) { $1 }
            return try runCGI(function, environment: environment, stdin: Data(body.utf8))
        }
        let overlap = all.peakOverlap()
        #expect(overlap >= min(bodies.count, 4), "at most \(overlap) of \(bodies.count) processes ran at once")
        return try all.map { try $0.result.get() }
    }

    /// Delivers as a sender does: all at once, then again for whatever was answered 503 (on a
    /// fresh database the processes that lose the race to create the schema may run past the
    /// webhook deadline; they store nothing and ask for the retry). Anything but 200 or 503 fails.
    func deliverLikeASender(
        _ bodies: [String], to function: String = "kommo-webhook", path: String = "/kommo-webhook",
        contentType: String = "application/x-www-form-urlencoded", store: [String: String]
    ) async throws {
        var pending = bodies
        for _ in 0..<5 where !pending.isEmpty {
            let results = try await deliverConcurrently(pending, to: function, path: path, contentType: contentType, store: store)
            #expect(results.allSatisfy { [200, 503].contains($0.status) }, "\(results.map(\.status))")
            pending = zip(pending, results).filter { $1.status == 503 }.map(\.0)
        }
        #expect(pending.isEmpty, "\(pending.count) still refused after five rounds")
    }

    @Test func fiftyConcurrentProcessesLoseNothing() async throws {
        let scratch = Scratch("concurrent")
        let bodies = (1...50).map { kommoLeadForm(id: 1000 + $0, name: "Lead \($0)") }
        try await deliverLikeASender(bodies, store: scratch.openSettings)
        let database = try scratch.database()
        let leads = Set(try database.query("SELECT kommo_id FROM kommo_leads").compactMap { $0[0].integer })
        #expect(leads == Set(1001...1050), "never stored: \(Set(1001...1050).subtracting(leads).sorted())")
        #expect(try database.queryRow("SELECT count(*) FROM kommo_webhook_logs WHERE status = 'success'")?[0] == .integer(50))
    }

    @Test func concurrentDuplicatesOfOneLeadMakeOneRow() async throws {
        let scratch = Scratch("duplicates")
        let body = kommoLeadForm(id: 77, name: "Same lead")
        try await deliverLikeASender(Array(repeating: body, count: 20), store: scratch.openSettings)
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(1))
        let outcomes = try database.query("SELECT \(database.dialect.jsonText("results", ["0", "outcome"])) FROM kommo_webhook_logs").compactMap { $0[0].text }
        #expect(outcomes.filter { $0 == "inserted" }.count == 1)
        #expect(outcomes.filter { $0 == "duplicate" }.count == 19)
    }

    @Test func concurrentCallsFromOnePhoneMakeOneLead() async throws {
        let scratch = Scratch("same-phone")
        let bodies = (1...10).map { knowlarityCallJSON(uuid: "call-\($0)", phone: "+91 80198 58999") }
        try await deliverLikeASender(
            bodies, to: "knowlarity-webhook", path: "/webhooks/knowlarity", contentType: "application/json", store: scratch.openSettings)
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(*) FROM leads_master")?[0] == .integer(1))
        #expect(try database.queryRow("SELECT count(*) FROM knowlarity_calls")?[0] == .integer(10))
        #expect(try database.queryRow("SELECT total_leads_count FROM sources")?[0] == .integer(1))
        let outcomes = try database.query("SELECT lead_outcome FROM knowlarity_calls").compactMap { $0[0].text }
        #expect(outcomes.filter { $0 == "new_lead" }.count == 1)
    }

    @Test func concurrentDeliveriesOfOneWonDealRecordOneSale() async throws {
        let scratch = Scratch("same-deal")
        try await deliverLikeASender(
            Array(repeating: amoWonDealForm(id: 9, utmSource: "ref_P1"), count: 10), to: "amocrm-webhook", path: "/webhook/amocrm",
            store: scratch.openSettings)
        let database = try scratch.database()
        #expect(try database.queryRow("SELECT count(*) FROM referral_sales")?[0] == .integer(1))
        #expect(try database.queryRow("SELECT count(*) FROM webhook_logs")?[0] == .integer(10))
    }
}
