import FunctionKit

/// The state of one lead as a row of `kommo_leads` holds it, without the bookkeeping columns.
struct LeadVersion: Equatable {
    var name: String?
    var statusID: Int64?
    var pipelineID: Int64?
    var responsibleUserID: Int64?
    var price: Double?
    var eventType: String
    var isDeleted: Bool
    var rawData: String?
    /// The lead's own modification time in Kommo (unix seconds): what orders versions.
    var crmUpdatedAt: Int64?

    /// Equal when every column is, the raw data compared as JSON documents: PostgreSQL's
    /// `jsonb` gives back the lead Kommo sent with its own spacing and key order.
    static func == (lhs: LeadVersion, rhs: LeadVersion) -> Bool {
        lhs.name == rhs.name && lhs.statusID == rhs.statusID && lhs.pipelineID == rhs.pipelineID
            && lhs.responsibleUserID == rhs.responsibleUserID && lhs.price == rhs.price && lhs.eventType == rhs.eventType
            && lhs.isDeleted == rhs.isDeleted && lhs.crmUpdatedAt == rhs.crmUpdatedAt && sameDocument(lhs.rawData, rhs.rawData)
    }

    private static func sameDocument(_ left: String?, _ right: String?) -> Bool {
        guard left != right else { return true }
        guard let left, let right, let a = try? JSONValue(parsing: left), let b = try? JSONValue(parsing: right) else { return false }
        return sameValue(a, b)
    }

    /// JSON equality with object members in any order.
    private static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.members.count == y.members.count && x.members.allSatisfy { member in y[member.key].map { sameValue(member.value, $0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        default:
            return a == b
        }
    }
}

/// What to do with an incoming version of a lead, given the stored one.
enum LeadWrite: Equatable {
    case insert
    case update
    /// The same version arrived again (a retried delivery): nothing changes.
    case unchanged
    /// An older version arrived after a newer one (a late retry): the newer one stays.
    case stale

    /// The ordering rule. The CRM's modification time decides when both versions carry one;
    /// at equal times, or when either lacks one, a version that differs in content replaces
    /// the stored one (last arrival wins), and an identical one changes nothing.
    static func decide(stored: LeadVersion?, incoming: LeadVersion) -> LeadWrite {
        guard let stored else { return .insert }
        if let new = incoming.crmUpdatedAt, let old = stored.crmUpdatedAt {
            if new < old { return .stale }
            if new > old { return .update }
        }
        return incoming == stored ? .unchanged : .update
    }
}
