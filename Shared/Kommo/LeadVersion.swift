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
