import Admin
import FunctionKit
import Foundation
import LeadwireStore
import Testing

/// The worker's alerts through `runtime serve`: each rule, made true, is raised once (an
/// `alert.raised` delivery to a subscriber and a Telegram message), stays raised without
/// repeating while it holds, and is resolved once when it clears.
@Suite struct AlertTests {
    static let rules = ["intake_errors", "subscription_disabled", "delivery_failures", "pending_messages", "poller_stalled"]

    /// `0` turns a rule off, as the settings table says, rather than stopping the worker as a
    /// bad setting: twenty intake errors raise nothing with LEADWIRE_ALERT_INTAKE_ERRORS=0.
    @Test func aThresholdOfZeroTurnsItsRuleOff() throws {
        let scratch = Scratch("alerts-off")
        let database = try scratch.database()
        for _ in 0..<20 {
            try database.run("INSERT INTO kommo_webhook_logs (id, status, error_message) VALUES (?, 'error', 'bad body')", [.text(Identifiers.uuid())])
        }
        var settings = scratch.storeSettings.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        for name in ["INTAKE_ERRORS", "DELIVERY_FAILURES", "PENDING_MINUTES", "POLLER_MISSED_PASSES"] { settings["LEADWIRE_ALERT_\(name)"] = "0" }
        let (status, output) = try ServerProcess.runToEnd(try Products.url("runtime").path, ["worker", "--once"], environment: settings)
        #expect(status == 0, "\(output)")
        #expect(try database.queryRow("SELECT count(*) FROM alerts")?[0] == .integer(0))
        settings["LEADWIRE_ALERT_INTAKE_ERRORS"] = "10"
        #expect(try ServerProcess.runToEnd(try Products.url("runtime").path, ["worker", "--once"], environment: settings).status == 0)
        #expect(try database.queryRow("SELECT rule FROM alerts")?[0] == "intake_errors", "the same store raises it at 10")
    }

    @Test func eachRuleIsRaisedOnceAndResolvedOnce() async throws {
        let scratch = Scratch("alerts")
        let receiver = try await WebhookReceiver(scratch: scratch)
        let database = try scratch.database()
        let key = try ApiKeys(database: database).create(name: "ops", scopes: [.webhooksManage])
        let (server, base) = try await startRuntime(
            in: scratch,
            settings: [
                "LEADWIRE_SECRET_KEY": String(repeating: "2e", count: 32), "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1", "LEADWIRE_WORKER_POLL_MS": "50",
                "LEADWIRE_TELEGRAM_BOT_TOKEN": "123:abc", "LEADWIRE_TELEGRAM_CHAT_ID": "-100200", "LEADWIRE_TELEGRAM_API_BASE": receiver.base,
                "LEADWIRE_ALERT_CHECK_SECONDS": "1", "LEADWIRE_ALERT_INTAKE_ERRORS": "2", "LEADWIRE_ALERT_DELIVERY_FAILURES": "3",
                "LEADWIRE_ALERT_PENDING_MINUTES": "5", "LEADWIRE_ALERT_POLLER_MISSED_PASSES": "2", "LEADWIRE_KNOWLARITY_POLL_SECONDS": "60",
            ])
        let admin = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        func subscribe(_ name: String, _ url: String, _ events: String) async throws -> String {
            let created = try await http(
                "POST", base + "/api/admin/webhooks", body: #"{"name":"\#(name)","url":"\#(url)","events":[\#(events)],"retryAttempts":0}"#, headers: admin)
            let body = try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any]
            return try #require((body?["webhook"] as? [String: Any])?["id"] as? String, "\(created.body)")
        }
        _ = try await subscribe("On call", receiver.base + "/ok", #""alert.raised","alert.resolved""#)
        let gone = try await subscribe("Gone CRM", receiver.base + "/gone", #""lead.created""#)
        let flaky = try await subscribe("Flaky CRM", "http://127.0.0.1:1/hook", #""user.deleted""#)

        // Each rule made true: two bodies Kommo could not have sent; a receiver that answers
        // 410 Gone (switched off at once); three failures in a row; a message stuck for hours;
        // a poller silent for ten minutes at a 60 s interval.
        for _ in 0..<2 { _ = try await http("POST", base + "/kommo-webhook", body: #"{"leads":"#, headers: ["Content-Type": "application/json"]) }
        _ = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 5, name: "Goes nowhere"))
        try database.run("UPDATE webhook_subscriptions SET consecutive_failures = 3 WHERE id = ?", [.text(flaky)])
        let longAgo = "2020-01-01T00:00:00.000Z"
        try database.run(
            "INSERT INTO outbox (topic, payload, idempotency_key, created_at, next_attempt_at) VALUES ('telegram.traffic_sale', '{\"text\":\"old\"}', 'stuck-1', ?, '2999-01-01T00:00:00.000Z')",
            [.text(longAgo)])
        let tenMinutesAgo = Timestamp.now().adding(seconds: -600).iso8601
        try database.run("INSERT INTO poll_cursors (name, polled_until, updated_at) VALUES ('knowlarity', ?, ?)", [.text(tenMinutesAgo), .text(tenMinutesAgo)])

        func alerts(_ event: String, in deliveries: [WebhookReceiver.Delivery]) -> [String] {
            deliveries.filter { $0.path == "/ok" && $0.event == event && $0.status == 200 }
                .compactMap { (($0.body["data"] as? [String: Any])?["alert"] as? [String: Any])?["rule"] as? String }.sorted()
        }
        func telegram(_ prefix: String, in deliveries: [WebhookReceiver.Delivery]) -> Int {
            deliveries.filter { $0.path.hasPrefix("/bot123:abc/sendMessage") && $0.status == 200 && ($0.body["text"] as? String)?.hasPrefix(prefix) == true }.count
        }
        _ = try await receiver.wait(seconds: 60, for: "every alert raised") { alerts("alert.raised", in: $0) == Self.rules.sorted() }
        _ = try await receiver.wait(seconds: 60, for: "every alert on Telegram") { telegram("Leadwire alert: ", in: $0) == 5 }
        // While the conditions hold, nothing is raised again.
        try await Task.sleep(for: .seconds(3))
        #expect(alerts("alert.raised", in: receiver.deliveries) == Self.rules.sorted())
        let open = try database.query("SELECT rule, subject FROM alerts WHERE resolved_at IS NULL ORDER BY rule")
        #expect(open.map { $0[0].text ?? "" } == Self.rules.sorted())
        #expect(open.contains { $0[0].text == "subscription_disabled" && $0[1].text == gone })
        #expect(open.contains { $0[0].text == "delivery_failures" && $0[1].text == flaky })

        // Each condition cleared: the errors age out of the window, the subscription is switched
        // back on, the failures end, the stuck message goes, the poller finishes a pass.
        try database.run("UPDATE kommo_webhook_logs SET created_at = ? WHERE status = 'error'", [.text(longAgo)])
        #expect(try await http("PATCH", base + "/api/admin/webhooks/\(gone)", body: #"{"active":true}"#, headers: admin).status == 200)
        try database.run("UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = ?", [.text(flaky)])
        try database.run("UPDATE outbox SET status = 'delivered' WHERE idempotency_key = 'stuck-1'")
        try database.run("UPDATE poll_cursors SET updated_at = ? WHERE name = 'knowlarity'", [.text(Timestamp.now().iso8601)])

        _ = try await receiver.wait(seconds: 60, for: "every alert resolved") { alerts("alert.resolved", in: $0) == Self.rules.sorted() }
        _ = try await receiver.wait(seconds: 60, for: "every resolution on Telegram") { telegram("Leadwire alert resolved: ", in: $0) == 5 }
        try await Task.sleep(for: .seconds(3))
        #expect(alerts("alert.resolved", in: receiver.deliveries) == Self.rules.sorted())
        #expect(alerts("alert.raised", in: receiver.deliveries) == Self.rules.sorted(), "no alert came back")
        #expect(try database.queryRow("SELECT count(*) FROM alerts WHERE resolved_at IS NULL")?[0].integer == 0)
        _ = server
    }
}
