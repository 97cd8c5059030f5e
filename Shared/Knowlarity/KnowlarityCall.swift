import FunctionKit

/// One call as Knowlarity's Hook API posts it. The shape varies by account and era (research
/// anchors.md §C): a flat call object or one wrapped in `data`, keys in any case (`Call_Type`),
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
        uuid = first("uuid", "call_uuid", "callid", "call_id")
        customerNumber = first("customer_number", "caller_id", "customer_number_normalized")
        agentNumber = first("agent_number").flatMap { $0.uppercased() == "NA" ? nil : $0 }
        knowlarityNumber = first("knowlarity_number", "dispnumber")
        businessCallType = first("business_call_type")
        callType = first("call_type", "type")
        startTime = first("start_time")
        endTime = first("end_time")
        durationSeconds = first("call_duration", "duration").flatMap { Double($0) }.map { Int64($0.rounded()) }
        recordingURL = first("call_recording", "resource_url", "recording_url")
    }
}

/// Knowlarity's time stamps: `2025-12-06 11:11:21+05:30`, `2016-09-27 09:19:34.667036+05:30`,
/// `2016-10-21T07:25:05Z`. Returns unix seconds; a time with no offset is read in `zone`.
func parseCallTime(_ text: String, zone: TimeZoneRule) -> Int64? {
    let characters = Array(text.trimmingSpaces)
    func number(_ range: Range<Int>) -> Int64? {
        guard range.upperBound <= characters.count else { return nil }
        return Int64(String(characters[range]))
    }
    guard characters.count >= 19, characters[4] == "-", characters[7] == "-", characters[10] == " " || characters[10] == "T",
        characters[13] == ":", characters[16] == ":",
        let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
        let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
        (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var index = 19
    if index < characters.count, characters[index] == "." {
        index += 1
        while index < characters.count, characters[index].isNumber { index += 1 }
    }
    let local = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    let suffix = String(characters[index...])
    if suffix.isEmpty { return local - Int64(zone.offset(at: local - Int64(zone.offset(at: local)))) }
    if suffix == "Z" { return local }
    guard let offset = TimeZoneRule.fixedOffset(suffix) else { return nil }
    return local - Int64(offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}
