import Admin
import Foundation
import LeadwireStore
import Testing

/// The amoCRM document's safety net: won deals whose hook was lost are read from amoCRM's API
/// (a stand-in on 127.0.0.1 serving API v4's leads, paged) through the account's OAuth
/// connection and recorded by amocrm-webhook's own processing, once; `runtime reconcile
/// amocrm` says what the store lacks before, and that it agrees after.
@Suite(.serialized) struct AmoCRMPollTests {
    let scratch = Scratch("amocrm-poll")
    static let now = Int(Date().timeIntervalSince1970)

    static func lead(_ id: Int, status: Int, price: Int, utmSource: String, hoursAgo: Double) -> [String: Any] {
        [
            "id": id, "name": "Deal \(id)", "price": price, "status_id": status, "pipeline_id": 7, "account_id": KommoStandIn.accountID,
            "updated_at": now - Int(hoursAgo * 3600),
            "custom_fields_values": [["field_id": 11, "field_name": "utm_source", "field_code": NSNull(), "values": [["value": utmSource]]]],
        ]
    }

    /// Deal 9001's hook arrived; 9002 (a referral) and 9004 (routed to nobody) were lost; 9003 was
    /// recorded won and has since been reopened in amoCRM; 9005 is still open.
    static var leads: [[String: Any]] { [
        lead(9001, status: 142, price: 1000, utmSource: "ref_A", hoursAgo: 5),
        lead(9002, status: 142, price: 2000, utmSource: "ref_B", hoursAgo: 4),
        lead(9003, status: 143, price: 700, utmSource: "ref_C", hoursAgo: 3),
        lead(9004, status: 142, price: 500, utmSource: "newsletter", hoursAgo: 2),
        lead(9005, status: 100, price: 300, utmSource: "ref_D", hoursAgo: 1),
    ] }

    /// amoCRM's hook for a won deal of the stand-in's account.
    static func hook(_ id: Int, utmSource: String) -> String {
        amoWonDealForm(id: id, utmSource: utmSource).replacingOccurrences(of: "account%5Bid%5D=31", with: "account%5Bid%5D=\(KommoStandIn.accountID)")
    }

    func runtime(_ arguments: [String], settings: [String: String]) throws -> (status: Int32, output: String) {
        try ServerProcess.runToEnd(try Products.url("runtime").path, arguments, environment: settings)
    }

    @Test func lostWonDealsAreRecordedOnceAndTheReconciliationAgreesAfter() async throws {
        let amocrm = try await KommoStandIn(scratch: scratch)
        let settings = scratch.storeSettings.merging([
            "PATH": "/usr/bin:/bin", "LEADWIRE_SECRET_KEY": String(repeating: "4b", count: 32), "LEADWIRE_KOMMO_CLIENT_ID": "client-1",
            "LEADWIRE_KOMMO_CLIENT_SECRET": "integration-secret", "LEADWIRE_KOMMO_REDIRECT_URI": "https://leadwire.example/kommo-oauth?action=callback",
            "LEADWIRE_KOMMO_API_ORIGIN": amocrm.base,
        ]) { $1 }
        let (server, base) = try await startRuntime(in: scratch, settings: settings)
        let key = try ApiKeys(database: scratch.database()).create(name: "crm", scopes: [.kommoAPI])
        let consent = try await http("GET", base + "/kommo-oauth?action=authorize", headers: ["Authorization": "Bearer \(key)"])
        let state = try #require(consent.headers["location"]?.split(separator: "state=").last)
        #expect(try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=\(state)&referer=acme.kommo.com").status == 200)

        // The hooks that did arrive: 9001 won, and 9003 when it was won.
        for (id, utm) in [(9001, "ref_A"), (9003, "ref_C")] {
            let hook = try await http(
                "POST", base + "/webhook/amocrm", body: Self.hook(id, utmSource: utm),
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(hook.status == 200, "\(hook.body)")
        }
        try amocrm.publish(leads: Self.leads)
        let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))

        // Before: two won deals missing, one sale no longer won.
        let before = try runtime(["reconcile", "amocrm", "--since", since, "--json"], settings: settings)
        #expect(before.status == 1, "\(before.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(before.output.utf8)) as? [String: Any], "\(before.output)")
        let account = try #require((report["accounts"] as? [[String: Any]])?.first)
        #expect((account["missing"] as? [[String: Any]])?.compactMap { $0["lead_id"] as? Int } == [9002, 9004])
        #expect((account["no_longer_won"] as? [[String: Any]])?.compactMap { $0["lead_id"] as? Int } == [9003])
        #expect(account["won"] as? Int == 3 && account["recorded"] as? Int == 1)
        #expect(account["won_amount"] as? Int == 3500 && account["recorded_amount"] as? Int == 1000)
        print("reconcile before the poll:\n\(try runtime(["reconcile", "amocrm", "--since", since], settings: settings).output)")

        // The poll records the lost ones through the hook's processing; amoCRM's first answer is a 429.
        try amocrm.throttle(1)
        let poll = try runtime(["poll", "amocrm", "--once"], settings: settings.merging(["LEADWIRE_AMOCRM_POLL_OVERLAP_SECONDS": "86400"]) { $1 })
        #expect(poll.status == 0, "\(poll.output)")
        #expect(poll.output.contains(#""event":"poll_pass","accounts":1,"leads":5,"won":3,"stored":2"#), "\(poll.output)")
        #expect(amocrm.requests.contains { $0["path"] as? String == "/api/v4/leads" && $0["status"] as? Int == 429 })
        #expect(amocrm.requests.filter { $0["path"] as? String == "/api/v4/leads" && $0["status"] as? Int == 200 }.count >= 3, "paged by _links.next")
        let database = try scratch.database()
        #expect(try database.query("SELECT lead_id FROM referral_sales ORDER BY lead_id").map { $0[0].integer } == [9001, 9002, 9003])
        #expect(try database.queryRow("SELECT routing_decision FROM webhook_logs WHERE lead_id = 9004")?[0].text == "unknown")

        // Again: nothing new, no log rows added; a late hook for 9002 is not a second sale.
        let logs = try database.queryRow("SELECT count(*) FROM webhook_logs")?[0].integer
        let again = try runtime(["poll", "amocrm", "--once"], settings: settings.merging(["LEADWIRE_AMOCRM_POLL_OVERLAP_SECONDS": "86400"]) { $1 })
        #expect(again.output.contains(#""stored":0"#), "\(again.output)")
        #expect(try database.queryRow("SELECT count(*) FROM webhook_logs")?[0].integer == logs)
        _ = try await http(
            "POST", base + "/webhook/amocrm", body: Self.hook(9002, utmSource: "ref_B"),
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(try database.queryRow("SELECT count(*) FROM referral_sales WHERE lead_id = 9002")?[0].integer == 1)

        // 9003 is won again in amoCRM: the two agree, and reconcile says so with status 0.
        try amocrm.publish(leads: Self.leads.map { $0["id"] as? Int == 9003 ? $0.merging(["status_id": 142]) { $1 } : $0 })
        let after = try runtime(["reconcile", "amocrm", "--since", since], settings: settings)
        #expect(after.status == 0, "\(after.output)")
        #expect(after.output.contains("missing:        0") && after.output.contains("no longer won:  0"), "\(after.output)")
        print("reconcile after the poll:\n\(after.output)")
        _ = server
    }

    @Test func withoutAConnectedAccountTheCommandsSaySo() throws {
        let settings = scratch.storeSettings.merging([
            "PATH": "/usr/bin:/bin", "LEADWIRE_SECRET_KEY": String(repeating: "4b", count: 32), "LEADWIRE_KOMMO_CLIENT_ID": "client-1",
            "LEADWIRE_KOMMO_CLIENT_SECRET": "s", "LEADWIRE_KOMMO_REDIRECT_URI": "https://leadwire.example/kommo-oauth?action=callback",
        ]) { $1 }
        let reconcile = try runtime(["reconcile", "amocrm", "--since", "2026-11-01"], settings: settings)
        #expect(reconcile.status != 0 && reconcile.output.contains("no account is connected"), "\(reconcile.output)")
        let badDate = try runtime(["reconcile", "amocrm", "--since", "last tuesday"], settings: settings)
        #expect(badDate.status != 0 && badDate.output.contains("--since must be an ISO 8601 date"), "\(badDate.output)")
        let poll = try runtime(["poll", "amocrm", "--once"], settings: settings)
        #expect(poll.status != 0 && poll.output.contains("no account is connected"), "\(poll.output)")
    }
}
