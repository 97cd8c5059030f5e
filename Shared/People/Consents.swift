public import FunctionKit
public import LeadwireStore

/// Consent per person and channel. Every change is a row (who recorded it, when, and where the
/// person gave or withdrew it), so the history is the proof; the newest row per channel is the
/// state. The `export` channel is the original export guide's export consent, kept on `leads_master` too for
/// `exportConsentOnly`.
public enum Consents {
    /// The platforms of the original export guide's `optedIn` and `optIns`, the other ways Leadwire's users
    /// reach people, and `export`.
    public static let channels = ["messenger", "instagram", "whatsapp", "telegram", "sms", "email", "phone", "export"]

    /// The newest consent per channel.
    static func current(of leadID: Int64, in database: Database) throws -> [String: Bool] {
        var state: [String: Bool] = [:]
        for row in try database.query("SELECT channel, granted FROM consents WHERE lead_id = ? ORDER BY id", [.integer(leadID)]) {
            if let channel = row[0].text { state[channel] = row[1].integer == 1 }
        }
        return state
    }

    /// Every consent row of a person, oldest first.
    public static func history(of leadID: Int64, in database: Database) throws -> [JSONValue] {
        try database.query(
            "SELECT id, channel, granted, source, recorded_by, recorded_at FROM consents WHERE lead_id = ? ORDER BY id", [.integer(leadID)]
        ).map { row in
            .object(
                JSONObject([
                    ("id", JSONValue(row[0].integer)), ("channel", JSONValue(row[1].text)), ("granted", .bool(row[2].integer == 1)),
                    ("source", JSONValue(row[3].text)), ("recordedBy", JSONValue(row[4].text)), ("recordedAt", JSONValue(row[5].text)),
                ]))
        }
    }

    /// Records a consent given or withdrawn, in the caller's transaction, and the `user.updated`
    /// event when it changes what the person's record says. Returns the new row's id.
    public static func record(
        _ granted: Bool, channel: String, for person: Person, source: String, recordedBy: String, in database: Database, fanOut: EventFanOut
    ) throws -> Int64 {
        let before = person.optIns[channel] ?? (channel == "export" ? person.exportConsent.given : false)
        let id = try database.queryRow(
            "INSERT INTO consents (lead_id, channel, granted, source, recorded_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [.integer(person.id), .text(channel), SQLValue(granted), .text(source), .text(recordedBy)])?[0].integer ?? 0
        let exportColumns =
            channel == "export"
            ? ", export_consent_given = ?, export_consent_at = CASE WHEN ? THEN \(database.dialect.now) ELSE NULL END" : ""
        try database.run(
            "UPDATE leads_master SET updated_at = \(database.dialect.now)\(exportColumns) WHERE id = ?",
            (channel == "export" ? [SQLValue(granted), SQLValue(granted)] : []) + [.integer(person.id)])
        if before != granted, try fanOut.wants("user.updated"), let updated = try Person.load(person.id, from: database) {
            let field = channel == "export" ? "exportConsent.given" : "optIns.\(channel)"
            try fanOut.emit(
                updated.event(
                    "user.updated", changes: JSONObject([(field, .object(JSONObject([("old", .bool(before)), ("new", .bool(granted))])))]),
                    source: "admin"))
        }
        return id
    }
}
