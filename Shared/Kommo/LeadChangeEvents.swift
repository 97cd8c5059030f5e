import FunctionKit
import LeadwireStore

/// The outbound events one applied lead event causes, from the stored version and the one
/// that replaced it. A duplicate or stale delivery changes nothing, so it causes none.
///
/// - a new lead: `lead.created` (or `lead.deleted` when its first news is its deletion);
/// - deleted or restored: `lead.deleted` / `lead.restored`;
/// - any other change: `lead.updated` with `changes` (old and new of each changed field), and
///   also `lead.status_changed` when the status or pipeline changed and
///   `lead.responsible_changed` when the responsible user did;
/// - tags and custom fields, when the event carries them: `tag.added` / `tag.removed` per tag
///   and `customfield.updated` per field whose values changed.
struct LeadChangeEvents {
    let kommoID: Int64
    let accountID: Int64
    let subdomain: String?

    /// `item` is the lead as the event carried it, already parsed: what an update's
    /// `incoming.rawData` holds as text.
    func events(stored: LeadVersion?, incoming: LeadVersion, item: JSONValue, write: LeadWrite) -> [OutboundEvent] {
        guard write == .insert || write == .update else { return [] }
        guard let stored else {
            return [incoming.isDeleted ? event("lead.deleted", incoming, action: "deleted") : event("lead.created", incoming, action: "created")]
        }
        if incoming.isDeleted != stored.isDeleted {
            return [event(incoming.isDeleted ? "lead.deleted" : "lead.restored", incoming, action: incoming.isDeleted ? "deleted" : "restored")]
        }
        let changes = Self.fields.compactMap { name, value -> (String, JSONValue)? in
            let old = value(stored), new = value(incoming)
            return old == new ? nil : (name, .object(JSONObject([("old", old), ("new", new)])))
        }
        var events: [OutboundEvent] = []
        if !changes.isEmpty {
            let changed = Set(changes.map(\.0))
            events.append(event("lead.updated", incoming, action: "updated", changes: changes))
            if changed.contains("status_id") || changed.contains("pipeline_id") {
                events.append(event("lead.status_changed", incoming, action: "status_changed", changes: changes.filter { ["status_id", "pipeline_id"].contains($0.0) }))
            }
            if changed.contains("responsible_user_id") {
                events.append(event("lead.responsible_changed", incoming, action: "responsible_changed", changes: changes.filter { $0.0 == "responsible_user_id" }))
            }
        }
        // Most events carry neither tags nor custom fields: then the stored raw_data, a
        // document of a kilobyte or more, is not parsed at all; otherwise once, for both.
        guard item["tags"] != nil || item["custom_fields"] != nil else { return events }
        let storedData = Self.data(stored)
        return events + tagEvents(stored: storedData, incoming: item, incoming) + customFieldEvents(stored: storedData, incoming: item, incoming)
    }

    /// A version's `raw_data`, parsed.
    private static func data(_ version: LeadVersion) -> JSONValue? {
        version.rawData.flatMap { try? JSONValue(parsing: $0) }
    }

    /// The columns a subscriber sees change.
    private static let fields: [(String, @Sendable (LeadVersion) -> JSONValue)] = [
        ("name", { JSONValue($0.name) }), ("status_id", { JSONValue($0.statusID) }), ("pipeline_id", { JSONValue($0.pipelineID) }),
        ("responsible_user_id", { JSONValue($0.responsibleUserID) }), ("price", { $0.price.map { JSONValue.number(String($0)) } ?? .null }),
    ]

    private func lead(_ version: LeadVersion) -> JSONValue {
        var object = JSONObject([("kommo_id", JSONValue(kommoID)), ("account_id", JSONValue(accountID)), ("subdomain", JSONValue(subdomain))])
        for (name, value) in Self.fields { object[name] = value(version) }
        object["is_deleted"] = .bool(version.isDeleted)
        object["crm_updated_at"] = JSONValue(version.crmUpdatedAt)
        return .object(object)
    }

    private func event(_ type: String, _ version: LeadVersion, action: String, changes: [(String, JSONValue)] = [], extra: [(String, JSONValue)] = []) -> OutboundEvent {
        var data = JSONObject([("lead", lead(version))] + extra)
        if !changes.isEmpty { data["changes"] = .object(JSONObject(changes.map { (key: $0.0, value: $0.1) })) }
        return OutboundEvent(type, data: data, metadata: JSONObject([("source", "kommo-webhook"), ("action", .string(action))]))
    }

    /// Tag names in a stored or incoming `raw_data`, or nil when the event did not carry tags
    /// (a status change leaves them out: that is no removal).
    private static func tags(_ data: JSONValue?) -> [String]? {
        guard let tags = data?["tags"]?.elements else { return nil }
        return tags.compactMap { $0["name"]?.text ?? $0.text }
    }

    private func tagEvents(stored: JSONValue?, incoming: JSONValue?, _ version: LeadVersion) -> [OutboundEvent] {
        guard let new = Self.tags(incoming) else { return [] }
        let old = Self.tags(stored) ?? []
        let added = new.filter { !old.contains($0) }.map { event("tag.added", version, action: "tag_added", extra: [("tag", .string($0))]) }
        let removed = old.filter { !new.contains($0) }.map { event("tag.removed", version, action: "tag_removed", extra: [("tag", .string($0))]) }
        return added + removed
    }

    /// Custom field values by field id (or name), or nil when the event did not carry them.
    private static func customFields(_ data: JSONValue?) -> [(key: String, name: JSONValue, values: JSONValue)]? {
        guard let fields = data?["custom_fields"]?.elements else { return nil }
        return fields.compactMap { field in
            guard let key = field["id"]?.text ?? field["name"]?.text else { return nil }
            return (key, field["name"] ?? .null, field["values"] ?? .null)
        }
    }

    private func customFieldEvents(stored: JSONValue?, incoming: JSONValue?, _ version: LeadVersion) -> [OutboundEvent] {
        guard let new = Self.customFields(incoming) else { return [] }
        let old = Self.customFields(stored) ?? []
        return new.compactMap { field in
            let previous = old.first { $0.key == field.key }?.values ?? .null
            guard previous != field.values else { return nil }
            let description = JSONValue.object(JSONObject([("id", .string(field.key)), ("name", field.name), ("old", previous), ("new", field.values)]))
            return event("customfield.updated", version, action: "customfield_updated", extra: [("field", description)])
        }
    }
}
