import Admin
import Dashboard
import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

/// `GET /api/admin/stats`: every figure is the store's count (or sum) for its bucket of local
/// days, in the configured zone.
@Suite struct DashboardStatsTests {
    let admin = try! AdminFixture(settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*", "LEADWIRE_TIME_ZONE": "+05:30"])
    var stats: HandlerFixture { admin.logs.sharing(path: "/api/admin/stats", handler: DashboardAPI.handle) }

    /// Known data on 1 to 3 November 2026, India time (UTC+05:30).
    func fill() throws -> String {
        for (id, name) in [(501, "Alpha"), (502, "Bravo"), (503, "Charlie")] { admin.kommo.send(kommoLead(id, name: name)) }
        admin.knowlarity.send(#"{"uuid":"c1","customer_number":"+918019858999","call_duration":"40"}"#, contentType: "application/json")
        admin.knowlarity.send(#"{"uuid":"c2","customer_number":"+918019858999","call_duration":"0"}"#, contentType: "application/json")
        admin.knowlarity.send(#"{"uuid":"c3","customer_number":"+919000000001","call_duration":"12"}"#, contentType: "application/json")
        admin.amocrm.send(amoSale(601, utmSource: "ref_R1"))
        admin.amocrm.send(amoSale(602, utmSource: "kenesary_fb"))
        admin.amocrm.send(amoSale(603, utmSource: "google"))
        let database = try admin.logs.database()
        // 19:00 UTC is 00:30 the next day in India: that lead counts on 3 November.
        try database.run("UPDATE kommo_leads SET created_at = '2026-11-02T10:00:00.000Z' WHERE kommo_id IN (501, 502)")
        try database.run("UPDATE kommo_leads SET created_at = '2026-11-02T19:00:00.000Z' WHERE kommo_id = 503")
        try database.run("UPDATE knowlarity_calls SET started_at = '2026-11-01T05:00:00.000000Z' WHERE call_uuid IN ('c1', 'c2')")
        try database.run("UPDATE knowlarity_calls SET started_at = '2026-11-03T05:00:00.000000Z' WHERE call_uuid = 'c3'")
        try database.run("UPDATE all_sales_tracking SET sold_at = '2026-11-02T06:00:00.000Z', amount = 1500")
        try database.run("UPDATE referral_sales SET sold_at = '2026-11-03T06:00:00.000Z', amount = 250.5")
        try database.run("UPDATE webhook_logs SET received_at = '2026-11-03T07:00:00.000Z'")
        try database.run("UPDATE kommo_webhook_logs SET created_at = '2026-11-03T07:00:00.000Z'")
        return try ApiKeys(database: database).create(name: "dashboard", scopes: [.statsRead])
    }

    func get(_ query: String, key: String) -> Response {
        stats.send("", contentType: nil, method: .get, query: query, headers: [("Authorization", "Bearer " + key)])
    }

    @Test func eachFigureIsTheStoresCountForItsLocalDay() throws {
        let key = try fill()
        let response = get("from=2026-11-01&to=2026-11-03", key: key)
        #expect(response.status == .ok)
        let json = response.json
        #expect(json["buckets"] == ["2026-11-01", "2026-11-02", "2026-11-03"])
        #expect(json["time_zone"] == "+05:30")
        #expect(json["leads"]?["kommo"]?["new"] == [0, 2, 1])
        #expect(json["leads"]?["knowlarity"]?["new"] == [1, 0, 1])
        #expect(json["leads"]?["knowlarity"]?["repeat"] == [1, 0, 0])
        #expect(json["calls"]?["answered"] == [1, 0, 1])
        #expect(json["calls"]?["missed"] == [1, 0, 0])
        #expect(json["calls"]?["new_lead_share"] == .number("0.67"))
        #expect(json["sales"]?["traffic"]?["count"] == [0, 1, 0])
        #expect(json["sales"]?["traffic"]?["amount"] == [0, 1500, 0])
        #expect(json["sales"]?["referral"]?["count"] == [0, 0, 1])
        #expect(json["sales"]?["referral"]?["amount"] == [0, 0, .number("250.5")])
        #expect(json["sales"]?["unknown"]?["count"] == [0, 0, 1])
        #expect(json["top_targetologists"]?[0]?["targetologist"] == "Kenesary")
        #expect(json["top_utm_sources"]?.elements?.count == 2)
        let intake = json["intake"]?.elements ?? []
        #expect(intake.first { $0["source"] == "kommo" }?["requests"]?["success"] == 3)
        #expect(intake.first { $0["source"] == "knowlarity" }?["requests"]?["success"] == 3)
        #expect(intake.first { $0["source"] == "amocrm" }?["p95_ms"]?.int64 != nil)
        // Percentiles are exact, by nearest rank: of 10, 20 and 30 ms, p50 is 20 and p95 is 30.
        let database = try admin.logs.database()
        for (rank, milliseconds) in [(1, 10), (2, 20), (3, 30)] {
            try database.run(
                "UPDATE kommo_webhook_logs SET processing_ms = ? WHERE log_seq = (SELECT log_seq FROM kommo_webhook_logs ORDER BY log_seq LIMIT 1 OFFSET ?)",
                [.integer(Int64(milliseconds)), .integer(Int64(rank - 1))])
        }
        let kommo = get("from=2026-11-01&to=2026-11-03", key: key).json["intake"]?.elements?.first { $0["source"] == "kommo" }
        #expect(kommo?["p50_ms"] == 20)
        #expect(kommo?["p95_ms"] == 30)
        // A sale amoCRM gave no time for counts on the day it was recorded.
        try database.run("UPDATE all_sales_tracking SET sold_at = NULL, created_at = '2026-11-01T06:00:00.000Z'")
        #expect(get("from=2026-11-01&to=2026-11-03", key: key).json["sales"]?["traffic"]?["count"] == [1, 0, 0])
        #expect(json["outbound"]?["pending"]?.int64 != nil)

        // A week from Monday 2 November holds the last two days; Sunday 1 November is the week before.
        let weeks = get("from=2026-11-01&to=2026-11-03&bucket=week", key: key).json
        #expect(weeks["buckets"] == ["2026-10-26", "2026-11-02"])
        #expect(weeks["leads"]?["kommo"]?["new"] == [0, 3])
    }

    @Test func anEmptyStoreHasZerosNotErrors() throws {
        let key = try ApiKeys(database: admin.logs.database()).create(name: "dashboard", scopes: [.statsRead])
        let json = get("", key: key).json
        #expect(json["buckets"]?.elements?.count == 30)
        #expect(json["calls"]?["new_lead_share"] == .null)
        #expect(json["intake"] == [])
    }

    @Test(arguments: ["from=2026-02-30", "to=tomorrow", "from=2026-11-05&to=2026-11-01", "bucket=month", "from=2000-01-01&to=2026-01-01", "days=3"])
    func badRangesAreClear400s(_ query: String) throws {
        let key = try ApiKeys(database: admin.logs.database()).create(name: "dashboard", scopes: [.statsRead])
        let response = get(query, key: key)
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["message"]?.text?.isEmpty == false)
    }

    @Test func onlyAStatsKeyReadsThem() throws {
        _ = try fill()
        #expect(get("", key: admin.reader).status == .forbidden)
        #expect(stats.send("", contentType: nil, method: .get).status == .unauthorized)
    }
}
