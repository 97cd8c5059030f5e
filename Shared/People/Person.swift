public import FunctionKit
public import LeadwireStore

/// One person of `leads_master`, as the original export guide calls them: a user. `user` is the `data.user`
/// of its `user.*` events and of the person's own record, in that guide's shape, so a receiver
/// written for it (`user.firstName`, `user.customFields.x`, `user.tags.map(...)`) runs as is.
/// What Leadwire does not keep (email, Instagram, custom fields, tags) is null or empty.
public struct Person: Sendable {
    public let id: Int64
    public let fullName: String?
    /// The phone as stored: its last LEADWIRE_PHONE_DIGITS digits.
    public let phone: String
    let source: String?
    let status: String
    let exportConsent: (given: Bool, at: String?)
    let createdAt: String
    let updatedAt: String
    /// The latest consent recorded per channel.
    public let optIns: [String: Bool]

    /// The person, or nil when there is none with this id.
    public static func load(_ id: Int64, from database: Database) throws -> Person? {
        guard
            let row = try database.queryRow(
                """
                SELECT leads_master.id, full_name, phone_number_normalized, sources.display_name, status, export_consent_given,
                    export_consent_at, leads_master.created_at, leads_master.updated_at
                FROM leads_master LEFT JOIN sources ON sources.id = leads_master.source_id WHERE leads_master.id = ?
                """, [.integer(id)])
        else { return nil }
        return Person(
            id: id, fullName: row[1].text, phone: row[2].text ?? "", source: row[3].text, status: row[4].text ?? "",
            exportConsent: (row[5].integer == 1, row[6].text), createdAt: row[7].text ?? "", updatedAt: row[8].text ?? "",
            optIns: try Consents.current(of: id, in: database))
    }

    /// The first word of the full name, and the rest.
    var names: (first: String?, last: String?) {
        guard let fullName, !fullName.isEmpty else { return (nil, nil) }
        guard let space = fullName.firstIndex(of: " ") else { return (fullName, nil) }
        return (String(fullName[..<space]), String(fullName[fullName.index(after: space)...]))
    }

    /// The original export guide's `user`.
    public var user: JSONValue {
        var platforms = JSONObject()
        for channel in Consents.channels where channel != "export" { platforms[channel] = .bool(optIns[channel] ?? false) }
        return .object(
            JSONObject([
                ("id", JSONValue(id)), ("firstName", JSONValue(names.first)), ("lastName", JSONValue(names.last)), ("fullName", JSONValue(fullName)),
                ("email", .null), ("phone", .string(phone)), ("instagramUsername", .null), ("source", JSONValue(source)), ("status", .string(status)),
                ("optIns", .object(platforms)),
                ("exportConsent", .object(JSONObject([("given", .bool(exportConsent.given)), ("at", JSONValue(exportConsent.at))]))),
                ("tags", .array([])), ("customFields", .object(JSONObject())),
                ("timestamps", .object(JSONObject([("createdAt", .string(createdAt)), ("updatedAt", .string(updatedAt))]))),
            ]))
    }

    /// Every row the store holds about the person (found by their lead, phone and `emails`),
    /// per table, for their request to see their data.
    public func storedRows(emails: [String], in database: Database) throws -> JSONObject {
        try Footprint(leadID: id, phone: phone, emails: emails, dialect: database.dialect).rows(in: database)
    }

    /// A `user.created`, `user.updated` (with `changes`, `{"field": {"old": …, "new": …}}`) or
    /// `user.deleted` event about this person.
    public func event(_ type: String, changes: JSONObject? = nil, source: String) -> OutboundEvent {
        var data = JSONObject([("user", user)])
        if let changes { data["changes"] = .object(changes) }
        return OutboundEvent(type, data: data, metadata: JSONObject([("source", .string(source)), ("action", .string(String(type.dropFirst("user.".count))))]))
    }
}
