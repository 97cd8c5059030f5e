import FunctionKit
import LeadwireStore

/// What became of one call.
struct CallResult {
    enum Outcome: String {
        /// A phone never seen before: a new lead, counted.
        case newLead = "new_lead"
        /// The phone's lead already came from Knowlarity: nothing new, not counted again.
        case sameSourceRepeat = "same_source_repeat"
        /// The phone's lead came from another source: Knowlarity is added to its history, counted.
        case crossSourceRepeat = "cross_source_repeat"
        /// This call (its uuid) was already stored: nothing changes.
        case duplicateCall = "duplicate_call"
        /// Stored, but no lead could be made from it (no usable phone number).
        case noLead = "no_lead"
    }

    let callUUID: String
    let outcome: Outcome
    let leadID: Int64?
    let error: String?
}

/// Seed 003's lead logic, in one transaction; concurrent deliveries of one call, and calls from
/// one phone, take turns (`Database.serialize`) and see each other's rows:
/// - every call is kept in `knowlarity_calls`, once per uuid;
/// - an unknown phone becomes a `leads_master` lead from the Knowlarity source;
/// - a phone whose lead came from Knowlarity already (or has it in its history) is a repeat;
/// - a phone whose lead came from elsewhere gets a `lead_sources_history` row.
/// New leads and cross-source leads count in `sources.total_leads_count` and, for the local day
/// of the call, `todays_leads_count`.
struct CallProcessor {
    let database: Database
    let phones: PhoneRule
    let timeZone: TimeZoneRule
    let now: Timestamp
    /// Where the call's events go, in the same transaction: `call.received` for every new
    /// call, and `lead.created` (a new phone) or `lead.source_added` (a lead from another
    /// source that now has Knowlarity too). A duplicate delivery emits nothing.
    let fanOut: EventFanOut

    static let sourceName = "Knowlarity"
    static let sourceType = "knowlarity_call"

    /// Throws only for store failures. A call without a uuid cannot be kept idempotently, so it
    /// is reported to the log (as a content problem) instead.
    func process(_ call: KnowlarityCall) throws -> CallResult? {
        guard let uuid = call.uuid else { return nil }
        try database.serialize(on: "knowlarity_calls:\(uuid)")
        if let stored = try database.queryRow("SELECT lead_id FROM knowlarity_calls WHERE call_uuid = ?", [.text(uuid)]) {
            return CallResult(callUUID: uuid, outcome: .duplicateCall, leadID: stored[0].integer, error: nil)
        }
        let startedAt = call.startTime.flatMap { parseCallTime($0, zone: timeZone) }
        let result: CallResult
        if let phone = phones.normalize(call.customerNumber) {
            result = try attachLead(
                phone: phone, call: call, uuid: uuid, day: timeZone.localDate(at: startedAt.map { $0.floorDivided(by: 1_000_000) } ?? now.secondsSince1970))
        } else {
            result = CallResult(
                callUUID: uuid, outcome: .noLead, leadID: nil,
                error: "no valid phone number (customer_number or caller_id with at least \(phones.digits) digits)")
        }
        try database.run(
            """
            INSERT INTO knowlarity_calls (call_uuid, customer_number, phone_number_normalized, agent_number, knowlarity_number,
                business_call_type, call_type, start_time, started_at, end_time, call_duration_seconds, recording_url,
                lead_id, lead_outcome, raw_payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(uuid), SQLValue(call.customerNumber), SQLValue(phones.normalize(call.customerNumber)), SQLValue(call.agentNumber),
                SQLValue(call.knowlarityNumber), SQLValue(call.businessCallType), SQLValue(call.callType), SQLValue(call.startTime),
                SQLValue(startedAt.map(ISO8601Time.text(microseconds:))), SQLValue(call.endTime),
                SQLValue(call.durationSeconds), SQLValue(call.recordingURL), SQLValue(result.leadID),
                result.outcome == .noLead ? .null : .text(result.outcome.rawValue), .text(call.payload.jsonText),
            ])
        if fanOut.wantsAny { try emitEvents(call, result, phone: phones.normalize(call.customerNumber)) }
        return result
    }

    private func attachLead(phone: String, call: KnowlarityCall, uuid: String, day: String) throws -> CallResult {
        let source = try knowlaritySource()
        try database.serialize(on: "leads_master.phone:\(phone)")
        let leads = try database.query(
            "SELECT id, source_id FROM leads_master WHERE phone_number_normalized = ? ORDER BY id", [.text(phone)])
        guard let primary = leads.first, let primaryID = primary[0].integer else {
            let inserted = try database.queryRow(
                """
                INSERT INTO leads_master (full_name, phone_number_normalized, source_id, external_lead_id, status, raw_payload)
                VALUES (?, ?, ?, ?, 'New', ?) RETURNING id
                """, [.text("Knowlarity Lead \(phone)"), .text(phone), .integer(source), .text(uuid), .text(call.payload.jsonText)])
            let leadID = inserted?[0].integer ?? 0
            try count(source: source, day: day)
            return CallResult(callUUID: uuid, outcome: .newLead, leadID: leadID, error: nil)
        }
        if let own = leads.first(where: { $0[1].integer == source }) {
            return CallResult(callUUID: uuid, outcome: .sameSourceRepeat, leadID: own[0].integer, error: nil)
        }
        let leadIDs = leads.compactMap { $0[0].integer }
        let seen = try database.queryRow(
            "SELECT lead_id FROM lead_sources_history WHERE source_id = ? AND lead_id IN (\(leadIDs.map { _ in "?" }.joined(separator: ",")))",
            [.integer(source)] + leadIDs.map(SQLValue.integer))
        if let seen {
            return CallResult(callUUID: uuid, outcome: .sameSourceRepeat, leadID: seen[0].integer, error: nil)
        }
        try database.run(
            "INSERT INTO lead_sources_history (lead_id, source_id, external_id, raw_payload, is_primary) VALUES (?, ?, ?, ?, FALSE)",
            [.integer(primaryID), .integer(source), .text(uuid), .text(call.payload.jsonText)])
        try count(source: source, day: day)
        return CallResult(callUUID: uuid, outcome: .crossSourceRepeat, leadID: primaryID, error: nil)
    }

    private func emitEvents(_ call: KnowlarityCall, _ result: CallResult, phone: String?) throws {
        let callData = JSONValue.object(
            JSONObject([
                ("uuid", .string(result.callUUID)), ("customer_number", JSONValue(call.customerNumber)), ("phone_normalized", JSONValue(phone)),
                ("agent_number", JSONValue(call.agentNumber)), ("start_time", JSONValue(call.startTime)),
                ("duration_seconds", JSONValue(call.durationSeconds)), ("recording_url", JSONValue(call.recordingURL)),
                ("lead_id", JSONValue(result.leadID)), ("outcome", .string(result.outcome.rawValue)),
            ]))
        func event(_ type: String, _ action: String) -> OutboundEvent {
            OutboundEvent(type, data: JSONObject([("call", callData)]), metadata: JSONObject([("source", "knowlarity-webhook"), ("action", .string(action))]))
        }
        try fanOut.emit(event("call.received", "received"))
        switch result.outcome {
        case .newLead: try fanOut.emit(event("lead.created", "created"))
        case .crossSourceRepeat: try fanOut.emit(event("lead.source_added", "source_added"))
        case .sameSourceRepeat, .duplicateCall, .noLead: break
        }
    }

    /// The Knowlarity row of `sources`, created the first time it is needed.
    private func knowlaritySource() throws -> Int64 {
        try database.run(
            "INSERT INTO sources (display_name, source_type) VALUES (?, ?) ON CONFLICT (display_name, source_type) DO NOTHING",
            [.text(Self.sourceName), .text(Self.sourceType)])
        return try database.queryRow(
            "SELECT id FROM sources WHERE display_name = ? AND source_type = ?", [.text(Self.sourceName), .text(Self.sourceType)])![0]
            .integer!
    }

    /// Adds one lead to the source's counters. `todays_leads_count` belongs to the day in
    /// `todays_date`: a lead from a later day starts that day's count at 1, a lead from the same
    /// day adds 1, and a late lead from an earlier day only adds to the total.
    private func count(source: Int64, day: String) throws {
        try database.run(
            """
            UPDATE sources SET
                total_leads_count = total_leads_count + 1,
                todays_leads_count = CASE
                    WHEN todays_date = ?1 THEN todays_leads_count + 1
                    WHEN todays_date IS NULL OR todays_date < ?1 THEN 1
                    ELSE todays_leads_count END,
                todays_date = CASE WHEN todays_date IS NULL OR todays_date < ?1 THEN ?1 ELSE todays_date END,
                updated_at = \(database.dialect.now)
            WHERE id = ?2
            """, [.text(day), .integer(source)])
    }
}
