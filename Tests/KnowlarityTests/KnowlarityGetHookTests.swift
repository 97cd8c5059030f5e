import FunctionKit
import HTTPTypes
import Knowlarity
import LeadwireStore
import TestSupport
import Testing

/// Hooks configured as GET carry the call in the query string, keys in any case: the same
/// token check, storage, de-duplication and answer as a POST.
@Suite struct KnowlarityGetHookTests {
    let knowlarity = HandlerFixture(
        path: "/webhooks/knowlarity", settings: ["LEADWIRE_KNOWLARITY_WEBHOOK_TOKEN": "s3cret"], handler: KnowlarityWebhook.handle)
    let query = "UUID=g-1&Customer_Number=%2B918019858999&Agent_Number=NA&Start_Time=2025-12-06+11%3A11%3A21%2B05%3A30&Call_Duration=7"

    @Test func aGetHookIsStoredAsAPostWouldBe() throws {
        let answer = knowlarity.send("", contentType: nil, method: .get, query: query + "&token=s3cret")
        #expect(answer.status == .ok)
        #expect(answer.json["outcome"] == "new_lead")
        let call = try knowlarity.rows("SELECT call_uuid, customer_number, call_duration_seconds, raw_payload FROM knowlarity_calls")[0]
        #expect(call["call_uuid"] == "g-1")
        #expect(call["customer_number"] == "+918019858999")
        #expect(call["call_duration_seconds"] == .integer(7))
        #expect(call["raw_payload"]?.text?.contains("s3cret") == false, "the token is not kept with the call")

        // The same call again, now by POST: one call, one lead, counted once.
        let again = knowlarity.send(#"{"uuid":"g-1","customer_number":"+918019858999"}"#, contentType: "application/json", query: "token=s3cret")
        #expect(again.json["outcome"] == "duplicate_call")
        #expect(try knowlarity.count("SELECT total_leads_count FROM sources WHERE display_name = 'Knowlarity'") == 1)
    }

    @Test func aGetHookWithoutTheTokenIsRefusedAndNothingIsStored() throws {
        #expect(knowlarity.send("", contentType: nil, method: .get, query: query).status == .unauthorized)
        #expect(try knowlarity.count("SELECT count(*) FROM knowlarity_calls") == 0)
    }
}
