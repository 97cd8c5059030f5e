import AmoCRM
import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

/// A won deal as amoCRM sends it when it moves to "Успешно реализовано" (status 142).
func wonDeal(id: Int = 501, status: Int = 142, pipeline: Int = 10_418_746, utmSource: String?, utmCampaign: String? = nil, action: String = "status")
    -> String
{
    var pairs: [(String, String)] = [
        ("leads[\(action)][0][id]", String(id)), ("leads[\(action)][0][name]", "TEST - Sale \(id)"),
        ("leads[\(action)][0][status_id]", String(status)), ("leads[\(action)][0][old_status_id]", "20756554"),
        ("leads[\(action)][0][pipeline_id]", String(pipeline)), ("leads[\(action)][0][price]", "100000"),
        ("leads[\(action)][0][updated_at]", "1744532876"),
    ]
    if let utmSource {
        pairs += [
            ("leads[\(action)][0][custom_fields][0][id]", "11"), ("leads[\(action)][0][custom_fields][0][name]", "utm_source"),
            ("leads[\(action)][0][custom_fields][0][values][0][value]", utmSource),
        ]
    }
    if let utmCampaign {
        pairs += [
            ("leads[\(action)][0][custom_fields][1][id]", "12"), ("leads[\(action)][0][custom_fields][1][code]", "UTM_CAMPAIGN"),
            ("leads[\(action)][0][custom_fields][1][values][0][value]", utmCampaign),
        ]
    }
    // An empty UTM field, listed without values, as real bodies have.
    pairs += [("leads[\(action)][0][custom_fields][2][id]", "13"), ("leads[\(action)][0][custom_fields][2][name]", "utm_medium")]
    pairs += [("account[id]", "31"), ("account[subdomain]", "onaiagencykz")]
    return formBody(pairs)
}

@Suite struct AmoCRMWebhookTests {
    let amo = HandlerFixture(
        path: "/webhook/amocrm", settings: TestSettings.openIntake.merging(["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*;Arystan=arystan*"]) { $1 },
        handler: AmoCRMWebhook.handle)

    func logs() throws -> [[String: SQLValue]] {
        try amo.rows("SELECT lead_id, utm_source, utm_campaign, routing_decision, processing_status, error_message FROM webhook_logs ORDER BY id")
    }

    @Test func aReferralSaleIsRecordedWithItsCode() throws {
        let response = amo.send(wonDeal(utmSource: "ref_TEST123"))
        #expect(response.status == .ok)
        #expect(response.json["deals"]?[0]?["routing_decision"] == "referral")
        let sales = try amo.rows("SELECT lead_id, referral_code, amount, sold_at FROM referral_sales")
        #expect(sales.count == 1)
        #expect(sales[0]["referral_code"] == "TEST123")
        #expect(sales[0]["amount"] == .real(100_000))
        #expect(sales[0]["sold_at"] == "2025-04-13T08:27:56.000Z")
        #expect(try amo.count("SELECT count(*) FROM all_sales_tracking") == 0)
        #expect(try amo.count("SELECT count(*) FROM outbox") == 0)
        #expect(try logs()[0]["routing_decision"] == "referral")
    }

    @Test func aTargetologistSaleGoesToTrafficAndQueuesATelegramNotice() throws {
        amo.send(wonDeal(utmSource: "kenesary_fb", utmCampaign: "tripwire_test"))
        let sales = try amo.rows("SELECT lead_id, targetologist, utm_source, utm_campaign FROM all_sales_tracking")
        #expect(sales.count == 1)
        #expect(sales[0]["targetologist"] == "Kenesary")
        #expect(sales[0]["utm_campaign"] == "tripwire_test")
        #expect(try amo.count("SELECT count(*) FROM referral_sales") == 0)
        let notices = try amo.rows("SELECT topic, payload, status FROM outbox")
        #expect(notices.count == 1)
        #expect(notices[0]["topic"] == "telegram.traffic_sale")
        #expect(notices[0]["status"] == "pending")
        #expect(notices[0]["payload"]?.text?.contains("Kenesary") == true)
        let log = try logs()[0]
        #expect(log["utm_source"] == "kenesary_fb")
        #expect(log["utm_campaign"] == "tripwire_test")
        #expect(log["routing_decision"] == "traffic")
    }

    @Test func aSaleMatchingBothIsRecordedInBoth() throws {
        let response = amo.send(wonDeal(utmSource: "ref_P1", utmCampaign: "arystan_lookalike"))
        #expect(response.json["deals"]?[0]?["routing_decision"] == "both")
        #expect(try amo.count("SELECT count(*) FROM referral_sales WHERE referral_code = 'P1'") == 1)
        #expect(try amo.count("SELECT count(*) FROM all_sales_tracking WHERE targetologist = 'Arystan'") == 1)
        #expect(try amo.count("SELECT count(*) FROM outbox") == 1)
    }

    @Test func aSaleWithNoKnownUTMIsLoggedAsUnknownForReview() throws {
        let response = amo.send(wonDeal(utmSource: "google_organic"))
        #expect(response.json["deals"]?[0]?["outcome"] == "unrouted")
        #expect(try amo.count("SELECT count(*) FROM referral_sales") + amo.count("SELECT count(*) FROM all_sales_tracking") == 0)
        #expect(try amo.count("SELECT count(*) FROM webhook_logs WHERE routing_decision = 'unknown' AND processing_status = 'success'") == 1)
        amo.send(wonDeal(id: 502, utmSource: nil))
        #expect(try amo.count("SELECT count(*) FROM webhook_logs WHERE routing_decision = 'unknown'") == 2)
    }

    @Test func theSameWonDealDeliveredTwiceCountsOnce() throws {
        let body = wonDeal(utmSource: "ref_P1", utmCampaign: "kenesary_x")
        amo.send(body)
        let again = amo.send(body)
        #expect(again.json["deals"]?[0]?["outcome"] == "already_recorded")
        // A later update of the already-won deal is not a second sale either.
        amo.send(wonDeal(utmSource: "ref_P1", utmCampaign: "kenesary_x", action: "update"))
        #expect(try amo.count("SELECT count(*) FROM referral_sales") == 1)
        #expect(try amo.count("SELECT count(*) FROM all_sales_tracking") == 1)
        #expect(try amo.count("SELECT count(*) FROM outbox") == 1)
        #expect(try amo.count("SELECT count(*) FROM webhook_logs") == 3)
    }

    @Test func dealsThatAreNotWonOrInAnotherPipelineAreNotSales() throws {
        var configured = amo
        configured.environment["LEADWIRE_AMOCRM_PIPELINE_IDS"] = "10418746"
        configured.send(wonDeal(id: 1, status: 20_756_554, utmSource: "ref_A"))
        configured.send(wonDeal(id: 2, pipeline: 999, utmSource: "ref_B"))
        #expect(try configured.count("SELECT count(*) FROM referral_sales") == 0)
        let outcomes = try configured.rows("SELECT lead_id, routing_decision FROM webhook_logs ORDER BY id")
        #expect(outcomes.map { $0["routing_decision"] } == [.null, .null])
    }

    @Test func everyDealInABodyGetsItsOwnLogRow() throws {
        let body = wonDeal(id: 1, utmSource: "ref_A") + "&" + formBody([("leads[status][1][id]", "2"), ("leads[status][1][status_id]", "142")])
        let response = amo.send(body)
        #expect(response.json["log_ids"]?.elements?.count == 2)
        #expect(try logs().map { $0["lead_id"] } == [.integer(1), .integer(2)])
    }

    @Test func aBrokenBodyIsRefusedWith400AndKeptRaw() throws {
        let response = amo.send(#"{"leads":"#, contentType: "application/json")
        #expect(response.status == .badRequest)
        let row = try amo.rows("SELECT deal_data, processing_status, error_message FROM webhook_logs")[0]
        #expect(row["processing_status"] == "error")
        let kept = try JSONValue(parsing: try #require(row["deal_data"]?.text))
        #expect(kept["raw_body"] == #"{"leads":"#)
        #expect(row["error_message"]?.text?.hasPrefix("invalid_json") == true)
    }

    @Test func aDealWithoutAnIdIsLoggedAsAnErrorAnd200() throws {
        let response = amo.send(formBody([("leads[status][0][status_id]", "142")]))
        #expect(response.status == .ok)
        #expect(try logs()[0]["processing_status"] == "error")
        #expect(try logs()[0]["error_message"] == "the deal has no numeric id")
    }

    @Test func theTestEndpointAnswersAsSeed001Documents() {
        let response = amo.send("", contentType: nil, method: .get, path: "/webhook/amocrm/test")
        #expect(response.status == .ok)
        #expect(
            response.json
                == [
                    "success": true, "message": "Unified AmoCRM webhook endpoint is active", "version": "2.0.0",
                    "supported_routes": ["referral", "traffic", "both", "unknown"],
                ])
        #expect(amo.send("", method: .post, path: "/webhook/amocrm/test").status == .methodNotAllowed)
        #expect(amo.send("", method: .get, path: "/webhook/amocrm/").status == .methodNotAllowed)
    }

    @Test func aTokenIsRequiredWhenConfigured() throws {
        var guarded = amo
        guarded.environment["LEADWIRE_AMOCRM_WEBHOOK_TOKEN"] = "t0ken"
        #expect(guarded.send(wonDeal(utmSource: "ref_A")).status == .unauthorized)
        #expect(guarded.send(wonDeal(utmSource: "ref_A"), query: "token=t0ken").status == .ok)
        #expect(try guarded.count("SELECT count(*) FROM webhook_logs") == 1)
    }

    @Test func aMisconfiguredRuleIsAClear500() {
        var misconfigured = amo
        misconfigured.environment["LEADWIRE_AMOCRM_TARGETOLOGISTS"] = "nobody"
        let response = misconfigured.send(wonDeal(utmSource: "ref_A"))
        #expect(response.status == .internalServerError)
        // The caller may be anyone: the answer names no setting, the log does.
        #expect(response.json["error"]?["code"] == "misconfigured")
        #expect(response.json["error"]?["message"]?.text?.contains("LEADWIRE_") == false)
        #expect(misconfigured.log.contains(event: "configuration_error", "LEADWIRE_AMOCRM_TARGETOLOGISTS"))
    }
}
