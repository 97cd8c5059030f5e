import FunctionKit
import LeadwireStore
import People

/// What became of one call.
struct CallResult {
    enum Outcome: String {
        /// A phone never seen before: a new lead, counted.
        case newLead = "new_lead"
        /// The phone's lead already came from Knowlarity: nothing new, not counted again.
        case sameSourceRepeat = "same_source_repeat"
        /// The phone's lead came from another source: Knowlarity is added to its history, counted.
        case crossSourceRepeat = "cross_source_repeat"
        /// A later event for a stored call (completed, logged): what it adds is written to the
        /// call's row; no second lead, nothing counted again.
        case updated
        /// This call (its uuid) was already stored and the event adds nothing: nothing changes.
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
        if let stored = try database.queryRow("SELECT \(StoredCall.columns) FROM knowlarity_calls WHERE call_uuid = ?", [.text(uuid)]) {
            return try update(StoredCall(stored), with: call, uuid: uuid)
        }
        let startedAt = call.startTime.flatMap { parseCallTime($0, zone: timeZone) }
        let result: CallResult
        if let phone = phones.normalize(call.customerNumber) {
            result = try attachLead(
                phone: phone, call: call, uuid: uuid, day: localDay(of: startedAt))
        } else {
            result = CallResult(
                callUUID: uuid, outcome: .noLead, leadID: nil,
                error: "no valid phone number (customer_number or caller_id with at least \(phones.digits) digits)")
        }
        try database.write(
            """
            INSERT INTO knowlarity_calls (call_uuid, customer_number, phone_number_normalized, agent_number, knowlarity_number,
                business_call_type, call_type, start_time, started_at, end_time, call_duration_seconds, recording_url,
                lead_id, lead_outcome, raw_payload, call_status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(uuid), SQLValue(call.customerNumber), SQLValue(phones.normalize(call.customerNumber)), SQLValue(call.agentNumber),
                SQLValue(call.knowlarityNumber), SQLValue(call.businessCallType), SQLValue(call.callType), SQLValue(call.startTime),
                SQLValue(startedAt.map(ISO8601Time.text(microseconds:))), SQLValue(call.endTime),
                SQLValue(call.durationSeconds), SQLValue(call.recordingURL), SQLValue(result.leadID),
                result.outcome == .noLead ? .null : .text(result.outcome.rawValue), .text(call.payload.jsonText), SQLValue(call.status),
            ])
        if try fanOut.wantsAny { try emitEvents(call, result, phone: phones.normalize(call.customerNumber)) }
        return result
    }

    /// A later event for a stored call. What it says that the row lacks or says differently is
    /// written (a value it leaves out never erases one); a call stored without a usable phone
    /// gets its lead now if this event has one. The first event's raw payload stays; every
    /// event's body is in webhook_logs.
    private func update(_ stored: StoredCall, with call: KnowlarityCall, uuid: String) throws -> CallResult {
        var changes: [(column: String, value: SQLValue)] = []
        func take(_ column: String, _ new: String?, _ old: String?) {
            if let new, new != old { changes.append((column, .text(new))) }
        }
        take("agent_number", call.agentNumber, stored.agentNumber)
        take("end_time", call.endTime, stored.endTime)
        take("recording_url", call.recordingURL, stored.recordingURL)
        take("call_status", call.status, stored.status)
        take("call_type", call.callType, stored.callType)
        take("business_call_type", call.businessCallType, stored.businessCallType)
        if let duration = call.durationSeconds, duration != stored.durationSeconds { changes.append(("call_duration_seconds", .integer(duration))) }
        if stored.startTime == nil, let start = call.startTime {
            changes.append(("start_time", .text(start)))
            changes.append(("started_at", SQLValue(parseCallTime(start, zone: timeZone).map(ISO8601Time.text(microseconds:)))))
        }
        var result = CallResult(callUUID: uuid, outcome: .updated, leadID: stored.leadID, error: nil)
        if stored.leadID == nil, let phone = phones.normalize(call.customerNumber) {
            let startedAt = (call.startTime ?? stored.startTime).flatMap { parseCallTime($0, zone: timeZone) }
            let lead = try attachLead(
                phone: phone, call: call, uuid: uuid, day: localDay(of: startedAt))
            changes += [
                ("customer_number", SQLValue(call.customerNumber)), ("phone_number_normalized", .text(phone)), ("lead_id", SQLValue(lead.leadID)),
                ("lead_outcome", .text(lead.outcome.rawValue)),
            ]
            result = CallResult(callUUID: uuid, outcome: .updated, leadID: lead.leadID, error: nil)
            if try fanOut.wantsAny { try emitEvents(call, lead, phone: phone, callReceived: false) }
        }
        guard !changes.isEmpty else { return CallResult(callUUID: uuid, outcome: .duplicateCall, leadID: stored.leadID, error: nil) }
        try database.write(
            """
            UPDATE knowlarity_calls SET \(changes.map { "\($0.column) = ?" }.joined(separator: ", ")),
                events_received = events_received + 1, updated_at = \(database.dialect.now)
            WHERE call_uuid = ?
            """, changes.map(\.value) + [.text(uuid)])
        return result
    }

    private func attachLead(phone: String, call: KnowlarityCall, uuid: String, day: String) throws -> CallResult {
        let knowlarity = try knowlaritySource()
        try database.serialize(on: "leads_master.phone:\(phone)")
        let leads = try database.query(
            "SELECT id, source_id FROM leads_master WHERE phone_number_normalized = ? ORDER BY id", [.text(phone)])
        guard let source = try knowlarity.value() else { throw SourceWithoutID() }
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
        try database.write(
            "INSERT INTO lead_sources_history (lead_id, source_id, external_id, raw_payload, is_primary) VALUES (?, ?, ?, ?, FALSE)",
            [.integer(primaryID), .integer(source), .text(uuid), .text(call.payload.jsonText)])
        try count(source: source, day: day)
        return CallResult(callUUID: uuid, outcome: .crossSourceRepeat, leadID: primaryID, error: nil)
    }

    /// `call.received` goes out for a call's first event only.
    private func emitEvents(_ call: KnowlarityCall, _ result: CallResult, phone: String?, callReceived: Bool = true) throws {
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
        if callReceived { try fanOut.emit(event("call.received", "received")) }
        // The same lead as one of the original export guide's users: created, or with a source more.
        func emitUser(_ type: String, changes: JSONObject? = nil) throws {
            guard try fanOut.wants(type), let leadID = result.leadID, let person = try Person.load(leadID, from: database) else { return }
            try fanOut.emit(person.event(type, changes: changes, source: "knowlarity-webhook"))
        }
        switch result.outcome {
        case .newLead:
            try fanOut.emit(event("lead.created", "created"))
            try emitUser("user.created")
        case .crossSourceRepeat:
            try fanOut.emit(event("lead.source_added", "source_added"))
            try emitUser("user.updated", changes: JSONObject([("sources", .object(JSONObject([("added", .string(Self.sourceName))])))]))
        case .sameSourceRepeat, .updated, .duplicateCall, .noLead: break
        }
    }

    /// The local day a call counts on: its start, or now when it has none.
    private func localDay(of startedAt: Int64?) -> String {
        timeZone.localDate(at: startedAt.map { $0.floorDivided(by: 1_000_000) } ?? now.secondsSince1970)
    }

    /// The Knowlarity row of `sources`, created the first time it is needed; its id travels
    /// with the lead lookup that follows.
    private func knowlaritySource() throws -> Prefetched<Int64?> {
        try database.write(
            "INSERT INTO sources (display_name, source_type) VALUES (?, ?) ON CONFLICT (display_name, source_type) DO NOTHING",
            [.text(Self.sourceName), .text(Self.sourceType)])
        return try database.prefetch(
            "SELECT id FROM sources WHERE display_name = ? AND source_type = ?", [.text(Self.sourceName), .text(Self.sourceType)]
        ) { rows in rows.first?[0].integer }
    }

    /// Adds one lead to the source's counters. `todays_leads_count` belongs to the day in
    /// `todays_date`: a lead from a later day starts that day's count at 1, a lead from the same
    /// day adds 1, and a late lead from an earlier day only adds to the total.
    private func count(source: Int64, day: String) throws {
        try database.write(
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

/// The Knowlarity row of `sources` read back without an id: the store was changed by hand. The
/// call is not processed, and its log row keeps it for a replay.
struct SourceWithoutID: Error, CustomStringConvertible {
    var description: String { "the Knowlarity row of sources has no id" }
}

/// The columns of a stored call that a later event may fill in.
struct StoredCall {
    static let columns = "lead_id, agent_number, end_time, recording_url, call_status, call_type, business_call_type, call_duration_seconds, start_time"

    let leadID: Int64?
    let agentNumber, endTime, recordingURL, status, callType, businessCallType: String?
    let durationSeconds: Int64?
    let startTime: String?

    init(_ row: Row) {
        leadID = row[0].integer
        agentNumber = row[1].text
        endTime = row[2].text
        recordingURL = row[3].text
        status = row[4].text
        callType = row[5].text
        businessCallType = row[6].text
        durationSeconds = row[7].integer
        startTime = row[8].text
    }
}
