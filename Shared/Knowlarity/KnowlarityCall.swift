import FunctionKit

/// One call as Knowlarity's Hook API posts it. The shape varies by account and by the age of
/// the hook's configuration: a flat call object or one wrapped in `data`, keys in any case (`Call_Type`),
/// `callid` instead of `uuid`, `caller_id` instead of `customer_number`, durations as strings,
/// `agent_number` "NA", times with offsets and microseconds.
struct KnowlarityCall {
    let payload: JSONValue
    let uuid: String?
    let customerNumber: String?
    let agentNumber: String?
    let knowlarityNumber: String?
    let businessCallType: String?
    let callType: String?
    let startTime: String?
    let endTime: String?
    let durationSeconds: Int64?
    let recordingURL: String?
    /// Where the call stands, as the event says it: `call_status`, `status`, Konnect's
    /// `event_type` (ANSWER, HANGUP…) or the envelope's `event` (`call.completed`).
    let status: String?

    init(body: JSONValue) {
        let call = body["data"]?.object != nil ? body["data"]! : body
        payload = call
        var fields: [String: String] = [:]
        for member in call.object?.members ?? [] {
            if let text = member.value.text.map({ String($0.trimmingSpaces) }), !text.isEmpty {
                fields[member.key.lowercased()] = fields[member.key.lowercased()] ?? text
            }
        }
        func first(_ names: String...) -> String? { names.lazy.compactMap { fields[$0] }.first }
        // A call-log record names its call by `id` alone.
        uuid = first("uuid", "call_uuid", "callid", "call_id", "id")
        customerNumber = first("customer_number", "caller_id", "customer_number_normalized")
        agentNumber = first("agent_number").flatMap { $0.uppercased() == "NA" ? nil : $0 }
        knowlarityNumber = first("knowlarity_number", "dispnumber")
        businessCallType = first("business_call_type")
        callType = first("call_type", "type")
        startTime = first("start_time")
        endTime = first("end_time")
        // A duration past Int64 (or `inf`, `nan`) is no duration; the raw payload keeps what was sent.
        durationSeconds = first("call_duration", "duration").flatMap { Double($0) }.flatMap { Int64(exactly: $0.rounded()) }
        recordingURL = first("call_recording", "resource_url", "recording_url")
        status = first("call_status", "status", "event_type") ?? body["event"]?.text.map { String($0.trimmingSpaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Knowlarity's time stamps: `2025-12-06 11:11:21+05:30`, `2016-09-27 09:19:34.667036+05:30`,
/// `2016-10-21T07:25:05Z`, as microseconds since 1970; a time with no offset is read in `zone`.
func parseCallTime(_ text: String, zone: TimeZoneRule) -> Int64? {
    ISO8601Time.microseconds(text.trimmingSpaces, zone: zone)
}
