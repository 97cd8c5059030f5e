import Crypto
import Foundation
import FunctionKit
import HTTPTypes
import Knowlarity
import LeadwireStore
import TestSupport
import Testing

/// A call as the Hook API posts it (flat JSON, seed 003's sample).
func knowlarityCall(uuid: String, phone: String = "+918019858999", start: String = "2025-12-06 11:11:21+05:30") -> String {
    #"{"uuid":"\#(uuid)","customer_number":"\#(phone)","agent_number":"+918121119250","knowlarity_number":"+919873762618","start_time":"\#(start)","call_duration":"293","business_call_type":"Call Group"}"#
}

@Suite struct KnowlarityLeadTests {
    let knowlarity = HandlerFixture(path: "/webhooks/knowlarity", settings: TestSettings.openIntake, handler: KnowlarityWebhook.handle)

    @discardableResult
    func post(_ body: String) -> Response { knowlarity.send(body, contentType: "application/json") }

    func counters() throws -> [String: SQLValue] {
        try knowlarity.rows("SELECT total_leads_count, todays_leads_count, todays_date FROM sources WHERE display_name = 'Knowlarity'")[0]
    }

    @Test func anUnknownPhoneBecomesANewLeadAndIsCounted() throws {
        let response = post(knowlarityCall(uuid: "u1"))
        #expect(response.status == .ok)
        #expect(response.json["outcome"] == "new_lead")
        let lead = try knowlarity.rows("SELECT full_name, phone_number_normalized, external_lead_id, status FROM leads_master")
        #expect(lead.count == 1)
        #expect(lead[0]["full_name"] == "Knowlarity Lead 8019858999")
        #expect(lead[0]["external_lead_id"] == "u1")
        #expect(lead[0]["status"] == "New")
        #expect(try counters() == ["total_leads_count": .integer(1), "todays_leads_count": .integer(1), "todays_date": "2025-12-06"])
        let call = try knowlarity.rows("SELECT call_uuid, started_at, call_duration_seconds, lead_outcome FROM knowlarity_calls")[0]
        #expect(call["started_at"] == "2025-12-06T05:41:21.000000Z")
        #expect(call["call_duration_seconds"] == .integer(293))
        #expect(try knowlarity.count("SELECT count(*) FROM webhook_logs WHERE source = 'knowlarity' AND processing_status = 'success'") == 1)
    }

    /// "In one transaction": when the last step (the counters) fails, the lead and the call row
    /// written before it are gone too, and the log row keeps the body for a replay.
    @Test func aFailureMidwayLeavesNoPartOfTheCall() throws {
        try TestStore.refuseUpdates(of: "sources", saying: "counters unavailable", in: try knowlarity.database())
        let response = post(knowlarityCall(uuid: "midway"))
        #expect(response.status == .ok, "the event is kept, so the sender need not retry")
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 0)
        #expect(try knowlarity.count("SELECT count(*) FROM knowlarity_calls") == 0)
        let log = try knowlarity.rows("SELECT processing_status, deal_data, error_message FROM webhook_logs WHERE source = 'knowlarity'")
        #expect(log.count == 1)
        #expect(log.first?["processing_status"] == "error")
        #expect(log.first?["deal_data"]?.text?.contains("midway") == true)
        #expect(log.first?["error_message"]?.text?.contains("counters unavailable") == true, "\(log)")
    }

    @Test func aDuplicateCallUUIDChangesNothing() throws {
        post(knowlarityCall(uuid: "u1"))
        let again = post(knowlarityCall(uuid: "u1"))
        #expect(again.json["outcome"] == "duplicate_call")
        #expect(try knowlarity.count("SELECT count(*) FROM knowlarity_calls") == 1)
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 1)
        #expect(try counters()["total_leads_count"] == .integer(1))
    }

    @Test func anotherCallFromTheSamePhoneIsASameSourceRepeat() throws {
        post(knowlarityCall(uuid: "u1", phone: "+918019858999"))
        let repeatCall = post(knowlarityCall(uuid: "u2", phone: "08019858999"))
        #expect(repeatCall.json["outcome"] == "same_source_repeat")
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 1)
        #expect(try knowlarity.count("SELECT count(*) FROM knowlarity_calls") == 2)
        #expect(try counters()["total_leads_count"] == .integer(1))
    }

    @Test func aPhoneFirstSeenElsewhereGetsKnowlarityInItsHistoryOnce() throws {
        let database = try knowlarity.database()
        try database.run("INSERT INTO sources (display_name, source_type) VALUES ('Website', 'web_form')")
        try database.run("INSERT INTO leads_master (full_name, phone_number_normalized, source_id) VALUES ('Asha', '8019858999', 1)")
        let cross = post(knowlarityCall(uuid: "u1"))
        #expect(cross.json["outcome"] == "cross_source_repeat")
        #expect(cross.json["lead_id"] == 1)
        let history = try knowlarity.rows("SELECT lead_id, external_id, is_primary FROM lead_sources_history")
        #expect(history == [["lead_id": .integer(1), "external_id": "u1", "is_primary": .integer(0)]])
        #expect(try counters()["total_leads_count"] == .integer(1))
        // The next Knowlarity call from that phone is a repeat: no second history row, no count.
        #expect(post(knowlarityCall(uuid: "u2")).json["outcome"] == "same_source_repeat")
        #expect(try knowlarity.count("SELECT count(*) FROM lead_sources_history") == 1)
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 1)
    }

    @Test func todaysCounterRollsOverAtLocalMidnight() throws {
        post(knowlarityCall(uuid: "a", phone: "+911111111111", start: "2025-12-06 23:59:00+05:30"))
        #expect(try counters() == ["total_leads_count": .integer(1), "todays_leads_count": .integer(1), "todays_date": "2025-12-06"])
        // 00:01 in India is still the 6th in UTC: the local day decides.
        post(knowlarityCall(uuid: "b", phone: "+912222222222", start: "2025-12-06 18:31:00+00:00"))
        #expect(try counters() == ["total_leads_count": .integer(2), "todays_leads_count": .integer(1), "todays_date": "2025-12-07"])
        post(knowlarityCall(uuid: "c", phone: "+913333333333", start: "2025-12-07 10:00:00+05:30"))
        #expect(try counters()["todays_leads_count"] == .integer(2))
        // A late delivery of a call from the day before counts in the total only.
        post(knowlarityCall(uuid: "d", phone: "+914444444444", start: "2025-12-06 12:00:00+05:30"))
        #expect(try counters() == ["total_leads_count": .integer(4), "todays_leads_count": .integer(2), "todays_date": "2025-12-07"])
    }

    @Test func theConfiguredTimeZoneDecidesTheDay() throws {
        var utc = knowlarity
        utc.environment["LEADWIRE_TIME_ZONE"] = "UTC"
        utc.send(knowlarityCall(uuid: "a", start: "2025-12-07 00:01:00+05:30"), contentType: "application/json")
        #expect(try utc.rows("SELECT todays_date FROM sources")[0]["todays_date"] == "2025-12-06")
    }

    @Test func aCallWithoutAStartTimeCountsOnTheDayItArrives() throws {
        var fixed = knowlarity
        fixed.clock = { Timestamp(millisecondsSince1970: 1_765_045_800_000) }  // 2025-12-07 00:00 in India
        fixed.send(#"{"uuid":"x","customer_number":"+918019858999"}"#, contentType: "application/json")
        #expect(try fixed.rows("SELECT todays_date FROM sources")[0]["todays_date"] == "2025-12-07")
    }

    @Test func wrappedAndFormEncodedBodiesWorkToo() throws {
        #expect(post(#"{"data":\#(knowlarityCall(uuid: "w1"))}"#).json["outcome"] == "new_lead")
        let form = knowlarity.send(formBody([("uuid", "f1"), ("caller_id", "+91 90000 00001"), ("call_duration", "12")]))
        #expect(form.json["outcome"] == "new_lead")
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 2)
    }

    @Test func aCallWithoutAUsablePhoneIsKeptWithoutALead() throws {
        let response = post(knowlarityCall(uuid: "short", phone: "12345"))
        #expect(response.status == .ok)
        #expect(response.json["outcome"] == "no_lead")
        #expect(try knowlarity.count("SELECT count(*) FROM knowlarity_calls WHERE lead_id IS NULL") == 1)
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 0)
        #expect(try knowlarity.rows("SELECT processing_status, error_message FROM webhook_logs")[0]["processing_status"] == "error")
    }

    @Test func aCallWithoutAUUIDIsLoggedAsAnError() throws {
        let response = post(#"{"customer_number":"+918019858999"}"#)
        #expect(response.status == .ok)
        #expect(try knowlarity.count("SELECT count(*) FROM knowlarity_calls") == 0)
        let log = try knowlarity.rows("SELECT processing_status, error_message FROM webhook_logs")[0]
        #expect(log["processing_status"] == "error")
        #expect(log["error_message"]?.text?.contains("uuid") == true)
    }

    @Test func brokenJSONIsRefusedAndKeptRaw() throws {
        let response = post(#"{"uuid":"#)
        #expect(response.status == .badRequest)
        let kept = try JSONValue(parsing: try #require(knowlarity.rows("SELECT deal_data FROM webhook_logs")[0]["deal_data"]?.text))
        #expect(kept["raw_body"] == #"{"uuid":"#)
    }

    @Test func aMisconfiguredTimeZoneIsAClear500() {
        var broken = knowlarity
        broken.environment["LEADWIRE_TIME_ZONE"] = "Mars/Olympus"
        let response = broken.send(knowlarityCall(uuid: "z"), contentType: "application/json")
        #expect(response.status == .internalServerError)
        #expect(response.json["error"]?["code"] == "misconfigured")
        #expect(response.json["error"]?["message"]?.text?.contains("LEADWIRE_") == false)
        #expect(broken.log.contains(event: "configuration_error", "LEADWIRE_TIME_ZONE"))
    }
}

@Suite struct KnowlarityAuthenticationTests {
    let secret = "whsec-test"
    let body = knowlarityCall(uuid: "s1")
    var signed: HandlerFixture {
        HandlerFixture(
            path: "/webhooks/knowlarity", settings: ["LEADWIRE_KNOWLARITY_SIGNING_SECRET": secret], handler: KnowlarityWebhook.handle)
    }

    func signature(_ body: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    @Test func aValidSignatureIsAcceptedWithOrWithoutItsPrefix() throws {
        let fixture = signed
        let hex = signature(body)
        #expect(fixture.send(body, contentType: "application/json", headers: [("X-Knowlarity-Signature", "sha256=" + hex)]).status == .ok)
        let other = knowlarityCall(uuid: "s2")
        #expect(
            fixture.send(other, contentType: "application/json", headers: [("X-Knowlarity-Signature", signature(other).uppercased())]).status
                == .ok)
        #expect(try fixture.count("SELECT count(*) FROM knowlarity_calls") == 2)
    }

    @Test func aMissingOrWrongSignatureStoresNothing() throws {
        let fixture = signed
        #expect(fixture.send(body, contentType: "application/json").status == .unauthorized)
        let tampered = body.replacingOccurrences(of: "293", with: "294")
        #expect(
            fixture.send(tampered, contentType: "application/json", headers: [("X-Knowlarity-Signature", signature(body))]).status
                == .unauthorized)
        #expect(fixture.send(body, contentType: "application/json", headers: [("X-Knowlarity-Signature", "sha256=zz")]).status == .unauthorized)
        #expect(try fixture.count("SELECT count(*) FROM webhook_logs") == 0)
    }

    @Test func theTokenIsCheckedWhenConfigured() throws {
        let fixture = HandlerFixture(
            path: "/webhooks/knowlarity", settings: ["LEADWIRE_KNOWLARITY_WEBHOOK_TOKEN": "k-token"], handler: KnowlarityWebhook.handle)
        #expect(fixture.send(body, contentType: "application/json").status == .unauthorized)
        #expect(fixture.send(body, contentType: "application/json", headers: [("X-Webhook-Token", "k-token")]).status == .ok)
    }
}
