import FunctionKit
import HTTPTypes
import Knowlarity
import LeadwireStore
import TestSupport
import Testing

/// Knowlarity sends several events for one call: the call started, completed, logged. The later
/// ones fill in the call's row and never make a second lead or count the call twice.
@Suite struct KnowlarityCallUpdateTests {
    let knowlarity = HandlerFixture(path: "/webhooks/knowlarity", settings: TestSettings.openIntake, handler: KnowlarityWebhook.handle)

    @discardableResult
    func post(_ body: String) -> Response { knowlarity.send(body, contentType: "application/json") }

    func storedCall(_ uuid: String) throws -> [String: SQLValue] {
        try knowlarity.rows(
            """
            SELECT call_duration_seconds, recording_url, end_time, call_status, agent_number, events_received, lead_id, lead_outcome,
                updated_at FROM knowlarity_calls WHERE call_uuid = '\(uuid)'
            """)[0]
    }

    func counted() throws -> SQLValue? {
        try knowlarity.rows("SELECT total_leads_count FROM sources WHERE display_name = 'Knowlarity'").first?["total_leads_count"]
    }

    @Test func theCompletedEventFillsInTheCallWithoutASecondLead() throws {
        let started = post(#"{"event":"call.started","data":{"uuid":"c1","customer_number":"+918019858999","start_time":"2025-12-06 11:11:21+05:30","agent_number":"NA"}}"#)
        #expect(started.json["outcome"] == "new_lead")
        let completed = post(
            #"{"event":"call.completed","data":{"uuid":"c1","customer_number":"+918019858999","agent_number":"+918121119250","call_duration":"293","end_time":"2025-12-06 11:16:14+05:30","call_recording":"https://konnect.knowlarity.com/konnect/api/v1/acct/c1"}}"#)
        #expect(completed.status == .ok)
        #expect(completed.json["outcome"] == "updated")
        #expect(completed.json["lead_id"] == started.json["lead_id"])

        let call = try storedCall("c1")
        #expect(call["call_duration_seconds"] == .integer(293))
        #expect(call["recording_url"] == "https://konnect.knowlarity.com/konnect/api/v1/acct/c1")
        #expect(call["end_time"] == "2025-12-06 11:16:14+05:30")
        #expect(call["call_status"] == "call.completed")
        #expect(call["agent_number"] == "+918121119250")
        #expect(call["events_received"] == .integer(2))
        #expect(call["lead_outcome"] == "new_lead", "the call's first outcome stays")
        #expect(call["updated_at"] != .null)
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 1)
        #expect(try counted() == .integer(1))
        // Each request's log row says what it did.
        let outcomes = try knowlarity.rows("SELECT outcome FROM webhook_logs WHERE source = 'knowlarity' ORDER BY id").map { $0["outcome"] }
        #expect(outcomes == ["new_lead", "updated"])
    }

    @Test func aLaterEventThatLeavesAValueOutErasesNothing() throws {
        post(knowlarityCall(uuid: "c2"))
        let logged = post(#"{"uuid":"c2","call_status":"Answered"}"#)
        #expect(logged.json["outcome"] == "updated")
        let call = try storedCall("c2")
        #expect(call["call_duration_seconds"] == .integer(293))
        #expect(call["agent_number"] == "+918121119250")
        #expect(call["call_status"] == "Answered")
        // The same event again adds nothing.
        #expect(post(#"{"uuid":"c2","call_status":"Answered"}"#).json["outcome"] == "duplicate_call")
        #expect(try storedCall("c2")["events_received"] == .integer(2))
    }

    @Test func aCallNamedOnlyByItsIdIsAccepted() throws {
        let response = post(#"{"id":"log-77","customer_number":"+919000000001","call_duration":45,"business_call_type":"Phone"}"#)
        #expect(response.json["outcome"] == "new_lead")
        #expect(response.json["call_uuid"] == "log-77")
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master WHERE external_lead_id = 'log-77'") == 1)
    }

    @Test func aCallFirstSeenWithoutAPhoneGetsItsLeadOnceALaterEventHasOne() throws {
        #expect(post(#"{"uuid":"c3","customer_number":"12"}"#).json["outcome"] == "no_lead")
        let later = post(#"{"uuid":"c3","customer_number":"+918019858111","call_duration":"30"}"#)
        #expect(later.json["outcome"] == "updated")
        #expect(later.json["lead_id"] != .null)
        let call = try storedCall("c3")
        #expect(call["lead_outcome"] == "new_lead")
        #expect(call["lead_id"] == (try knowlarity.rows("SELECT id FROM leads_master")[0]["id"]))
        #expect(post(#"{"uuid":"c3","customer_number":"+918019858111","call_duration":"30"}"#).json["outcome"] == "duplicate_call")
        #expect(try knowlarity.count("SELECT count(*) FROM leads_master") == 1)
        #expect(try counted() == .integer(1))
    }
}
