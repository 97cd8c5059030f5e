import FunctionKit
@testable import Knowlarity
import Testing

@Suite struct KnowlarityCallTests {
    @Test func readsTheFlatCallLogShape() throws {
        let call = KnowlarityCall(
            body: try JSONValue(
                parsing: #"{"uuid":"a1","customer_number":"+918019858999","agent_number":"NA","knowlarity_number":"+919873762618","start_time":"2025-12-06 11:11:21+05:30","call_duration":293,"business_call_type":"Call Group","call_recording":"https://konnect.knowlarity.com/konnect/api/v1/x/a1"}"#
            ))
        #expect(call.uuid == "a1")
        #expect(call.customerNumber == "+918019858999")
        #expect(call.agentNumber == nil)
        #expect(call.durationSeconds == 293)
        #expect(call.recordingURL?.hasSuffix("/a1") == true)
    }

    @Test func readsTheOlderHookShapeWrappedInData() throws {
        // The 2016 hook body: callid, caller_id, dispnumber, a string duration, mixed offsets.
        let call = KnowlarityCall(
            body: try JSONValue(
                parsing: #"{"data":{"callid":"c-77","caller_id":"09873 762 618","dispnumber":"+911234567890","call_duration":"7","Call_Type":"incoming","start_time":"2016-09-27 03:49:44.391601+00:00","end_time":"2016-09-27 09:19:34.667036+05:30","resource_url":""}}"#
            ))
        #expect(call.uuid == "c-77")
        #expect(call.customerNumber == "09873 762 618")
        #expect(call.knowlarityNumber == "+911234567890")
        #expect(call.callType == "incoming")
        #expect(call.durationSeconds == 7)
        #expect(call.recordingURL == nil)
    }

    /// Microseconds since 1970: Knowlarity's fractions are kept, not cut to whole seconds.
    @Test func parsesTimesWithOffsetsMicrosecondsOrNone() throws {
        let kolkata = try TimeZoneRule("Asia/Kolkata")
        #expect(parseCallTime("2025-12-06 11:11:21+05:30", zone: .utc) == 1_764_999_681_000_000)
        #expect(parseCallTime("2016-09-27 03:49:44.391601+00:00", zone: .utc) == 1_474_948_184_391_601)
        #expect(parseCallTime("2016-09-27 09:19:34.667036+05:30", zone: .utc) == 1_474_948_174_667_036)
        #expect(parseCallTime("2025-12-06T05:41:21Z", zone: .utc) == 1_764_999_681_000_000)
        #expect(parseCallTime("2025-12-06 11:11:21", zone: kolkata) == 1_764_999_681_000_000)
        #expect(parseCallTime("06/12/2025 11:11", zone: .utc) == nil)
        #expect(parseCallTime("2025-13-06 11:11:21", zone: .utc) == nil)
    }

    @Test func phoneNumbersKeepTheLastNationalDigits() {
        #expect(PhoneRule.india.normalize("+91 80198-58999") == "8019858999")
        #expect(PhoneRule.india.normalize("08019858999") == "8019858999")
        #expect(PhoneRule.india.normalize("+91 801985") == nil)
        #expect(PhoneRule.india.normalize(nil) == nil)
        #expect(PhoneRule(digits: 9).normalize("+971 50 123 4567") == "501234567")
    }
}
