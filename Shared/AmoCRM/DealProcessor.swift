import FunctionKit
import LeadwireStore
import WebhookIntake

/// What became of one deal event.
struct DealResult {
    enum Outcome: String {
        /// Not a won deal in a configured pipeline: logged, nothing else.
        case notASale = "not_a_sale"
        /// A sale, newly written to its table(s).
        case recorded
        /// A sale already recorded by an earlier delivery: nothing written again.
        case alreadyRecorded = "already_recorded"
        /// A sale whose UTM values match no route: logged as `unknown` for review.
        case unrouted
        case error
    }

    let leadID: Int64?
    let pipelineID: Int64?
    let utm: UTMValues
    let routing: Routing?
    let outcome: Outcome
    let error: String?

    var json: JSONValue {
        var object = JSONObject([
            ("lead_id", JSONValue(leadID)), ("sale", .bool(routing != nil)),
            ("routing_decision", JSONValue(routing?.decision.rawValue)), ("outcome", .string(outcome.rawValue)),
        ])
        if let referral = routing?.referralCode { object["referral_code"] = .string(referral) }
        if let targetologist = routing?.targetologist { object["targetologist"] = .string(targetologist) }
        if let error { object["error"] = .string(error) }
        return .object(object)
    }
}

/// Turns the lead events of an amoCRM webhook into sales: a deal in the won status of a
/// configured pipeline is a sale, routed by its UTM values and recorded at most once.
struct DealProcessor {
    let settings: AmoCRMSettings
    let sales: SalesRepository
    let accountID: Int64?
    /// Where a newly recorded sale's `sale.recorded` event goes, in the same transaction.
    let fanOut: EventFanOut

    /// Events that carry a lead's full state, so its status can be read from them.
    private static let stateEvents: Set<String> = ["add", "update", "status", "restore"]

    func process(_ event: LeadEvent) throws -> DealResult {
        let item = event.item
        guard item.object != nil, let leadID = item["id"]?.int64 else {
            return DealResult(
                leadID: nil, pipelineID: nil, utm: UTMValues(), routing: nil, outcome: .error, error: "the deal has no numeric id")
        }
        let pipelineID = item["pipeline_id"]?.int64
        let utm = UTMValues(lead: item, fieldIDs: settings.utmFieldIDs)
        guard Self.stateEvents.contains(event.action), settings.isSale(pipelineID: pipelineID, statusID: item["status_id"]?.int64) else {
            return DealResult(leadID: leadID, pipelineID: pipelineID, utm: utm, routing: nil, outcome: .notASale, error: nil)
        }
        let routing = settings.routing.route(utm)
        guard routing.decision != .unknown else {
            return DealResult(leadID: leadID, pipelineID: pipelineID, utm: utm, routing: routing, outcome: .unrouted, error: nil)
        }
        let modified = item["updated_at"]?.int64 ?? item["last_modified"]?.int64
        var soldAt: Timestamp?
        if let modified {
            soldAt = Timestamp(secondsSince1970: modified)
            guard soldAt != nil else {
                return DealResult(
                    leadID: leadID, pipelineID: pipelineID, utm: utm, routing: routing, outcome: .error,
                    error: "updated_at \(modified) is not a Unix time in years 1 to 9999, so the sale was not recorded")
            }
        }
        let sale = Sale(
            accountID: accountID ?? item["account_id"]?.int64 ?? 0, leadID: leadID, leadName: item["name"]?.text,
            pipelineID: pipelineID, statusID: item["status_id"]?.int64, amount: item["price"]?.double, utm: utm, routing: routing,
            soldAt: soldAt?.iso8601)
        let recorded = try sales.record(sale)
        if recorded { try fanOut.emit(sale.recordedEvent) }
        return DealResult(
            leadID: leadID, pipelineID: pipelineID, utm: utm, routing: routing, outcome: recorded ? .recorded : .alreadyRecorded,
            error: nil)
    }
}
