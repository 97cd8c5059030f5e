import FunctionKit
import LeadwireStore
import WebhookIntake

/// Applies lead events to `kommo_leads`, idempotently and order-safely (see `LeadWrite`), and
/// reports one result per event for the webhook log and the response.
struct LeadEventProcessor {
    let repository: KommoLeadRepository
    let accountID: Int64?
    let subdomain: String?
    /// When the request arrived (unix seconds): the modification time of a delete, which
    /// carries none of its own, so that a late retry of an older update cannot undo it.
    let receivedAt: Int64
    /// Where the changes' outbound events go, in the same transaction.
    let fanOut: EventFanOut

    /// Applies a body's events in order. Every lead they name is locked first and read in one
    /// query; a lead's second event in the same body reads again what its first one wrote
    /// (under any account: its first one may have adopted the row).
    func apply(_ events: [LeadEvent]) throws -> [EventResult] {
        let eventLeads = events.map(lead(of:))
        let leads = Set(eventLeads.compactMap { $0 })
        // The write depends on the stored version, so deliveries of one lead take turns. The
        // locks are taken in one order, so two bodies naming the same leads never wait on each
        // other in a cycle.
        for lead in leads.sorted() { try repository.database.serialize(on: "kommo_leads:\(lead.accountID):\(lead.kommoID)") }
        let storedFirst = try repository.stored(leads)
        var seen = Set<Int64>()  // kommo ids
        var results: [EventResult] = []
        for (event, lead) in zip(events, eventLeads) {
            guard let lead else {
                results.append(unapplied(event))
                continue
            }
            let stored = seen.contains(lead.kommoID) ? try repository.stored([lead])[lead] : storedFirst[lead]
            results.append(try apply(event, to: lead, stored: stored))
            seen.insert(lead.kommoID)
        }
        return results
    }

    /// The lead an event changes, or nil for an event that changes none.
    private func lead(of event: LeadEvent) -> LeadKey? {
        guard event.eventType != nil, event.item.object != nil, let kommoID = event.item["id"]?.int64 else { return nil }
        return LeadKey(accountID: accountID ?? event.item["account_id"]?.int64 ?? 0, kommoID: kommoID)
    }

    /// The result of an event that changes no lead: its action is not a lead change, or its
    /// item is not one.
    private func unapplied(_ event: LeadEvent) -> EventResult {
        guard event.eventType != nil else { return EventResult(event, kommoID: event.item["id"]?.int64, outcome: .ignored) }
        guard event.item.object != nil else {
            return EventResult(event, kommoID: nil, outcome: .error, error: "the lead item is not an object")
        }
        return EventResult(event, kommoID: nil, outcome: .error, error: "the lead has no numeric id")
    }

    private func apply(_ event: LeadEvent, to lead: LeadKey, stored found: StoredLead?) throws -> EventResult {
        let (account, kommoID) = (lead.accountID, lead.kommoID)
        if let found, found.accountID != account { try repository.adopt(kommoID: kommoID, accountID: account) }
        let stored = found?.version

        let incoming: LeadVersion
        let write: LeadWrite
        if event.action == "delete" {
            incoming = deletion(of: event.item, stored: stored)
            write = stored?.isDeleted == true ? .unchanged : LeadWrite.decide(stored: stored, incoming: incoming)
        } else {
            incoming = Self.version(of: event.item, eventType: event.eventType ?? "")
            write = LeadWrite.decide(stored: stored, incoming: incoming)
        }

        switch write {
        case .insert: try repository.insert(incoming, accountID: account, subdomain: subdomain, kommoID: kommoID)
        case .update: try repository.update(incoming, accountID: account, subdomain: subdomain, kommoID: kommoID)
        case .unchanged, .stale: break
        }
        if try fanOut.wantsAny {
            let changes = LeadChangeEvents(kommoID: kommoID, accountID: account, subdomain: subdomain)
            for outbound in changes.events(stored: stored, incoming: incoming, item: event.item, write: write) { try fanOut.emit(outbound) }
        }
        return EventResult(event, kommoID: kommoID, outcome: EventResult.Outcome(write))
    }

    /// A lead as an add/update/status/responsible/restore item describes it.
    static func version(of item: JSONValue, eventType: String) -> LeadVersion {
        LeadVersion(
            name: item["name"]?.text,
            statusID: item["status_id"]?.int64,
            pipelineID: item["pipeline_id"]?.int64,
            responsibleUserID: item["responsible_user_id"]?.int64,
            price: item["price"]?.double,
            eventType: eventType,
            isDeleted: false,
            rawData: item.jsonText,
            // Webhooks use the API v2 names (`last_modified`); newer bodies carry both.
            crmUpdatedAt: item["updated_at"]?.int64 ?? item["last_modified"]?.int64
                ?? item["created_at"]?.int64 ?? item["date_create"]?.int64)
    }

    /// A delete item carries only id, status and pipeline: the stored lead is kept as it was
    /// (its last full `raw_data` included) and marked deleted.
    private func deletion(of item: JSONValue, stored: LeadVersion?) -> LeadVersion {
        var version = stored ?? LeadVersion(eventType: "deleted", isDeleted: true, rawData: item.jsonText)
        version.statusID = item["status_id"]?.int64 ?? version.statusID
        version.pipelineID = item["pipeline_id"]?.int64 ?? version.pipelineID
        version.eventType = "deleted"
        version.isDeleted = true
        version.crmUpdatedAt = max(receivedAt, stored?.crmUpdatedAt ?? receivedAt)
        return version
    }
}

/// What happened to one event.
struct EventResult {
    enum Outcome: String {
        case inserted, updated, duplicate, stale, ignored, error

        init(_ write: LeadWrite) {
            switch write {
            case .insert: self = .inserted
            case .update: self = .updated
            case .unchanged: self = .duplicate
            case .stale: self = .stale
            }
        }
    }

    let action: String
    let kommoID: Int64?
    let outcome: Outcome
    let error: String?

    init(_ event: LeadEvent, kommoID: Int64?, outcome: Outcome, error: String? = nil) {
        self.action = event.action
        self.kommoID = kommoID
        self.outcome = outcome
        self.error = error
    }

    var json: JSONValue {
        var object = JSONObject([("entity", "leads"), ("action", .string(action)), ("kommo_id", JSONValue(kommoID)), ("outcome", .string(outcome.rawValue))])
        if let error { object["error"] = .string(error) }
        return .object(object)
    }
}

extension LeadVersion {
    init(eventType: String, isDeleted: Bool, rawData: String?) {
        self.init(
            name: nil, statusID: nil, pipelineID: nil, responsibleUserID: nil, price: nil, eventType: eventType,
            isDeleted: isDeleted, rawData: rawData, crmUpdatedAt: nil)
    }
}
