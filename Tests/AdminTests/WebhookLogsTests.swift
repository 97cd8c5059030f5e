import Foundation
import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing
import WebhookIntake

@Suite struct WebhookLogsTests {
    let admin = try! AdminFixture(settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])

    /// Fills the logs from every source: 2 Kommo, 3 amoCRM (referral, traffic, unknown), 1 Knowlarity, 1 refused.
    func fill() {
        admin.kommo.send(kommoLead(501, name: "Alpha"))
        admin.kommo.send(kommoLead(502, name: "Bravo needle"))
        admin.amocrm.send(amoSale(601, utmSource: "ref_R1"))
        admin.amocrm.send(amoSale(602, utmSource: "kenesary_fb"))
        admin.amocrm.send(amoSale(603, utmSource: "google"))
        admin.knowlarity.send(#"{"uuid":"k1","customer_number":"+918019858999"}"#, contentType: "application/json")
        admin.kommo.send(#"{"leads":"#, contentType: "application/json")
    }

    func ids(_ response: Response) -> [String] {
        response.json["logs"]?.elements?.compactMap { $0["id"]?.text } ?? []
    }

    @Test func listsEverySourceNewestFirst() {
        fill()
        let response = admin.getLogs()
        #expect(response.status == .ok)
        let sources = response.json["logs"]?.elements?.compactMap { $0["source"]?.text }
        #expect(sources == ["kommo", "knowlarity", "amocrm", "amocrm", "amocrm", "kommo", "kommo"])
        #expect(response.json["pagination"]?["limit"] == 50)
        #expect(response.json["pagination"]?["has_more"] == false)
    }

    @Test func filtersBySourceStatusRoutingLeadAndText() {
        fill()
        #expect(ids(admin.getLogs("source=knowlarity")).count == 1)
        #expect(ids(admin.getLogs("status=error")).count == 1)
        #expect(admin.getLogs("routing=traffic").json["logs"]?[0]?["lead_id"] == 602)
        #expect(admin.getLogs("routing=unknown").json["logs"]?[0]?["lead_id"] == 603)
        #expect(admin.getLogs("lead_id=601").json["logs"]?[0]?["utm_source"] == "ref_R1")
        // Kommo logs may hold several leads; a lead id finds the log that carried it.
        #expect(admin.getLogs("lead_id=502").json["logs"]?[0]?["source"] == "kommo")
        #expect(ids(admin.getLogs("q=NEEDLE")).count == 1)
        #expect(ids(admin.getLogs("source=amocrm&routing=referral")).count == 1)
    }

    @Test func filtersByTimeRange() throws {
        fill()
        let database = try admin.logs.database()
        try database.run("UPDATE webhook_logs SET received_at = '2025-01-01T10:00:00.000Z' WHERE lead_id = 601")
        #expect(ids(admin.getLogs("until=2025-01-02")).count == 1)
        #expect(ids(admin.getLogs("since=2025-01-02")).count == 6)
        #expect(ids(admin.getLogs("since=2025-01-01T09:00:00Z&until=2025-01-01T11:00:00Z")) == ["amocrm:1"])
    }

    /// Times are compared as instants: a stored fraction of a second and an offset in the filter
    /// both count (comparing text put `…10:00:00.500Z` before `…10:00:00Z`).
    @Test func timeFiltersHonourFractionsAndOffsets() throws {
        fill()
        try admin.logs.database().run("UPDATE webhook_logs SET received_at = '2025-01-01T10:00:00.500Z' WHERE lead_id = 601")
        #expect(ids(admin.getLogs("since=2025-01-01T10:00:00Z&until=2025-01-01T10:00:01Z")) == ["amocrm:1"])
        #expect(ids(admin.getLogs("since=2025-01-01T10:00:00.5Z&until=2025-01-01T10:00:00.501Z")) == ["amocrm:1"])
        #expect(ids(admin.getLogs("since=2025-01-01T10:00:00.5001Z&until=2025-01-01T11:00:00Z")).isEmpty)
        #expect(ids(admin.getLogs("since=2025-01-01T15:30:00.5%2B05:30&until=2025-01-01T15:30:01%2B05:30")) == ["amocrm:1"])
    }

    /// `received_at` is when the request arrived and `processed_at` when its processing ended
    /// (they were once stamped by the same INSERT, so always equal); `processing_ms` is between.
    @Test func everyLogSaysWhenItArrivedWhenItWasProcessedAndHowLongItTook() throws {
        fill()
        let arrived = ContinuousClock.now - .milliseconds(40)
        let widget = Request(method: .post, path: "/widget-request", receivedAt: arrived)
        _ = try WebhookLogEntry(source: "widget", leadID: 77, dealData: ["message": "hi"], status: .success)
            .insert(into: admin.logs.database(), for: widget)
        let logs = admin.getLogs().json["logs"]?.elements ?? []
        #expect(logs.count == 8)
        for log in logs {
            let received = try #require(log["received_at"]?.text.flatMap { ISO8601Time.microseconds($0) })
            let processed = try #require(log["processed_at"]?.text.flatMap { ISO8601Time.microseconds($0) })
            let milliseconds = try #require(log["processing_ms"]?.int64)
            #expect((processed - received) / 1000 == milliseconds, "\(log)")
        }
        #expect(logs[0]["source"] == "widget")
        #expect((logs[0]["processing_ms"]?.int64 ?? 0) >= 40)
    }

    /// Widget requests are logged as `widget`: the filter and one log's address take it.
    @Test func widgetLogsAreListedAndShownLikeEveryOther() throws {
        fill()
        _ = try WebhookLogEntry(source: "widget", leadID: 77, dealData: ["message": "hi"], status: .success)
            .insert(into: admin.logs.database(), for: Request(method: .post, path: "/widget-request"))
        #expect(ids(admin.getLogs("source=widget")) == ["widget:5"])
        let one = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs/widget:5", headers: admin.bearer(admin.reader))
        #expect(one.json["log"]?["payload"]?["message"] == "hi")
    }

    @Test(arguments: [
        "limit=0", "limit=1001", "limit=ten", "source=hubspot", "status=ok", "routing=x", "lead_id=abc", "since=yesterday", "cursor=-1",
        "nosuchparam=x", "since=2020-13-45", "since=2020-02-30", "until=2020-01-01T24:00:00Z", "since=2020-01-01'%20OR%20'1'='1",
    ])
    func badFiltersAreClear400s(_ query: String) {
        let response = admin.getLogs(query)
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["message"]?.text?.isEmpty == false)
    }

    @Test func pagesNeitherSkipNorRepeatWhileRowsArrive() {
        fill()
        var seen: [String] = []
        var cursor: String?
        var arrived = 0
        repeat {
            let page = admin.getLogs("limit=2" + (cursor.map { "&cursor=" + $0 } ?? ""))
            seen += ids(page)
            cursor = page.json["pagination"]?["next_cursor"]?.text
            // New webhooks land between page reads; they are newer than the first page, so
            // they belong to a fresh listing, not to the pages still to come.
            admin.kommo.send(kommoLead(900 + arrived, name: "Late"))
            arrived += 1
        } while cursor != nil
        #expect(seen.count == 7)
        #expect(Set(seen).count == 7)
        #expect(ids(admin.getLogs("limit=1000")).count == 7 + arrived)
    }

    /// `next` is the next page of the same listing: following it keeps the filters, so a client
    /// (the viewer with its form edited meanwhile, say) cannot drift into another listing.
    @Test func theNextPageKeepsTheFilters() throws {
        fill()
        var page = admin.getLogs("source=amocrm&limit=1")
        var leads: [Int64] = []
        while true {
            leads += page.json["logs"]?.elements?.compactMap { $0["lead_id"]?.int64 } ?? []
            guard let next = page.json["pagination"]?["next"]?.text else { break }
            #expect(next.hasPrefix("?source=amocrm&limit=1&cursor="), "\(next)")
            page = admin.getLogs(String(next.dropFirst()))
        }
        #expect(leads == [603, 602, 601])
        #expect(page.json["pagination"]?["next"] == .null)
    }

    @Test func oneLogShowsItsFullPayloadRawBodyAndResults() {
        fill()
        let id = admin.getLogs("source=kommo&status=success").json["logs"]?[0]?["id"]?.text ?? ""
        let response = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs/" + id, headers: admin.bearer(admin.reader))
        let log = response.json["log"]
        #expect(log?["payload"]?["leads"]?["add"]?[0]?["name"] == "Bravo needle")
        #expect(log?["results"]?[0]?["outcome"] == "inserted")
        #expect(log?["raw_body"]?.text?.contains("Bravo") == true)
        let missing = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs/kommo:nope", headers: admin.bearer(admin.reader))
        #expect(missing.status == .notFound)
    }

    @Test func replayRerunsAStoredEventAfterAFixAndRecordsTheNewResult() throws {
        // Sold before the targetologist was configured: routed unknown.
        var unconfigured = admin.amocrm
        unconfigured.environment["LEADWIRE_AMOCRM_TARGETOLOGISTS"] = nil
        unconfigured.send(amoSale(700, utmSource: "kenesary_late"))
        let id = try #require(admin.getLogs("lead_id=700").json["logs"]?[0]?["id"]?.text)
        #expect(admin.getLogs("lead_id=700").json["logs"]?[0]?["routing_decision"] == "unknown")

        // With the rule in place (the admin function runs with the fixed settings), replay it.
        let replay = admin.logs.send("", method: .post, path: "/api/admin/webhook-logs/\(id)/replay", headers: admin.bearer(admin.replayer))
        #expect(replay.status == .ok)
        #expect(replay.json["replay_of"] == .string(id))
        #expect(replay.json["result"]?["deals"]?[0]?["routing_decision"] == "traffic")
        #expect(try admin.logs.count("SELECT count(*) FROM all_sales_tracking WHERE lead_id = 700") == 1)
        let history = admin.getLogs("lead_id=700").json["logs"]?.elements?.compactMap { $0["routing_decision"]?.text }
        #expect(history == ["traffic", "unknown"])
    }

    /// Deployed as the guides say, secrets come as files: the logs function then holds both the
    /// `_FILE` setting and the value read from it, and the replayed function must get only the
    /// file (both set is a configuration error). A function that fails the replay is a 502, not
    /// a `success: true` with an error inside.
    @Test func replayWorksWithSecretsInFilesAndAFailedReplayIsNotASuccess() throws {
        let secretFile = FileManager.default.temporaryDirectory.appending(path: "replay-token-\(UUID().uuidString)")
        try Data("amocrm-token".utf8).write(to: secretFile)
        var logs = admin.logs
        logs.environment["LEADWIRE_AMOCRM_WEBHOOK_TOKEN_FILE"] = secretFile.path
        logs.environment["LEADWIRE_AMOCRM_WEBHOOK_TOKEN"] = "amocrm-token"
        admin.amocrm.send(amoSale(701, utmSource: "ref_FILE"))
        let id = try #require(admin.getLogs("lead_id=701").json["logs"]?[0]?["id"]?.text)
        let replay = logs.send("", method: .post, path: "/api/admin/webhook-logs/\(id)/replay", headers: admin.bearer(admin.replayer))
        #expect(replay.status == .ok, "\(String(decoding: replay.body, as: UTF8.self))")
        #expect(replay.json["success"] == true)
        #expect(replay.json["status"] == 200, "the replayed function answered \(replay.json["result"].map(\.jsonText) ?? "")")

        // amocrm-webhook cannot use this rule: its 500 is the replay's 502.
        logs.environment["LEADWIRE_AMOCRM_TARGETOLOGISTS"] = "nobody"
        let failed = logs.send("", method: .post, path: "/api/admin/webhook-logs/\(id)/replay", headers: admin.bearer(admin.replayer))
        #expect(failed.status == .badGateway)
        #expect(failed.json["error"]?["code"] == "replayed_function_failed")
    }

    @Test func replayingARefusedBodyRefusesItAgainAndAnOversizeOneHasNothingToReplay() throws {
        admin.kommo.send(#"{"leads":"#, contentType: "application/json")
        let broken = try #require(admin.getLogs("status=error").json["logs"]?[0]?["id"]?.text)
        let again = admin.logs.send("", method: .post, path: "/api/admin/webhook-logs/\(broken)/replay", headers: admin.bearer(admin.replayer))
        #expect(again.json["status"] == 400)
        #expect(again.json["success"] == false, "the function refused it again")
        admin.kommo.send("", bodyLimitExceeded: BodyLimitExceeded(length: 9_000_000, limit: 1_048_576))
        let oversize = try #require(admin.getLogs("status=error&limit=1").json["logs"]?[0]?["id"]?.text)
        let nothing = admin.logs.send("", method: .post, path: "/api/admin/webhook-logs/\(oversize)/replay", headers: admin.bearer(admin.replayer))
        #expect(nothing.status == .conflict)
    }

    /// Bytes that are not UTF-8 are kept as they came, shown as Base64, and replayed exactly.
    @Test func bodiesThatAreNotUTF8AreShownAsBase64AndReplayedByteForByte() throws {
        let bytes = Array("leads[add][0][id]=5&leads[add][0][name]=".utf8) + [0xFF, 0xFE, 0x00]
        #expect(admin.kommo.send("", bytes: bytes).status == .badRequest)
        #expect(admin.amocrm.send("", bytes: bytes).status == .badRequest)
        let kommoID = try #require(admin.getLogs("source=kommo").json["logs"]?[0]?["id"]?.text)
        let one = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs/" + kommoID, headers: admin.bearer(admin.reader))
        #expect(one.json["log"]?["raw_body"] == .null)
        #expect(one.json["log"]?["raw_body_base64"] == .string(Base64.encode(bytes)))
        let amo = admin.getLogs("source=amocrm").json["logs"]?[0]
        #expect(amo?["payload"]?["raw_body_base64"] == .string(Base64.encode(bytes)))

        for id in [kommoID, try #require(amo?["id"]?.text)] {
            let replay = admin.logs.send("", method: .post, path: "/api/admin/webhook-logs/\(id)/replay", headers: admin.bearer(admin.replayer))
            #expect(replay.json["status"] == 400, "refused again, as the original was")
            #expect(replay.json["result"]?["error"]?["code"] == "invalid_form")
        }
        let kept = try admin.logs.database().query("SELECT raw_body FROM kommo_webhook_logs")
        #expect(kept.map { $0[0] } == [.blob(bytes), .blob(bytes)], "the replay sent the very same bytes")
    }

    @Test func aReplayWhoseFunctionIsNotInstalledSaysWhereItLooked() throws {
        admin.kommo.send(kommoLead(1, name: "Lost"))
        let id = try #require(admin.getLogs().json["logs"]?[0]?["id"]?.text)
        var logs = admin.logs
        logs.environment["LEADWIRE_FUNCTIONS_DIR"] = "/nonexistent/functions"
        let replay = logs.send("", method: .post, path: "/api/admin/webhook-logs/\(id)/replay", headers: admin.bearer(admin.replayer))
        #expect(replay.status == .serviceUnavailable)
        #expect(replay.json["error"]?["message"]?.text?.contains("/nonexistent/functions/kommo-webhook") == true)
    }

    @Test func theViewerPageIsSelfContained() {
        let page = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs/viewer")
        #expect(page.status == .ok)
        #expect(page.headers[.contentType] == "text/html; charset=utf-8")
        #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true)
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("<table>"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
    }

    /// Logs hold customers' data: no browser or proxy keeps a copy, none sniffs another type,
    /// and a refusal says so too.
    @Test func adminAnswersAreNeverStoredOrSniffed() {
        let list = admin.getLogs("limit=1")
        let refused = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs")
        let viewer = admin.logs.send("", contentType: nil, method: .get, path: "/api/admin/webhook-logs/viewer")
        for response in [list, refused, viewer] {
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        }
        #expect(refused.status == .unauthorized)
    }
}
