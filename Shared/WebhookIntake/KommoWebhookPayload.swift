public import FunctionKit

/// A Kommo (or amoCRM) account webhook body, read from its tree: which account sent it, the
/// lead events it carries, and which other entity events came along.
///
/// The shape is `{entity}[{action}][{index}][{field}]` plus an `account` block, in any key
/// order, as Kommo form-encodes it. Lists may arrive as arrays or as index-keyed objects.
public struct KommoWebhookPayload: Sendable {
    public var accountID: Int64?
    public var accountSubdomain: String?
    public var leadEvents: [LeadEvent]
    /// Events for other entities (`contacts.add`, `task.update`, ...): logged, not processed.
    public var otherEvents: [(kind: String, count: Int)]

    public init(_ body: JSONValue) {
        accountID = body["account"]?["id"]?.int64
        accountSubdomain = body["account"]?["subdomain"]?.text
        leadEvents = []
        otherEvents = []
        for member in body.object?.members ?? [] where member.key != "account" {
            for action in member.value.object?.members ?? [] {
                let items = action.value.elements ?? [action.value]
                if member.key == "leads" {
                    leadEvents += items.map { LeadEvent(action: action.key, item: $0) }
                } else {
                    otherEvents.append(("\(member.key).\(action.key)", items.count))
                }
            }
        }
    }

    /// Every `entity.action` in the body, in order and without repeats: `leads.add,leads.status`.
    public var eventKinds: String {
        var kinds: [String] = []
        for kind in leadEvents.map({ "leads.\($0.action)" }) + otherEvents.map(\.kind) where !kinds.contains(kind) {
            kinds.append(kind)
        }
        return kinds.isEmpty ? "none" : kinds.joined(separator: ",")
    }
}

/// One item under `leads[<action>]`.
public struct LeadEvent: Sendable {
    /// The body's action key: add, update, status, responsible, delete, restore, or another.
    public let action: String
    public let item: JSONValue

    /// The value `kommo_leads.event_type` records for this action (seed 000's vocabulary, plus
    /// `restored`), or nil for an action that does not change a lead.
    public var eventType: String? {
        switch action {
        case "add": "created"
        case "update": "updated"
        case "status": "status_changed"
        case "responsible": "responsible_changed"
        case "delete": "deleted"
        case "restore": "restored"
        default: nil
        }
    }
}
