public import FunctionKit
import FunctionCatalog
import HTTPTypes
import LeadwireStore
import WebhookIntake

/// amocrm-webhook: won deals from amoCRM, their UTM values, and routing to the referral system,
/// the traffic team, both, or nobody (logged for review). amoCRM sends the same form-encoded
/// lead webhooks as Kommo. One `webhook_logs` row per deal event, durable first.
public enum AmoCRMWebhook {
    public static let name = "amocrm-webhook"
    static let source = "amocrm"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        if request.path.hasSuffix("/test") {
            try request.require(method: .get, .head)
            return status
        }
        try request.require(method: .post)
        try SenderGate(function: name, access: .amocrmWebhook).admit(request, context: context)
        return try receive(request, context: context)
    }

    /// Stores and processes an authenticated request (or a replayed one).
    public static func receive(_ request: Request, context: FunctionContext) throws -> Response {
        let settings = try context.resources.value { try AmoCRMSettings(context.environment) }

        let intake = DurableIntake<[DealResult]>(
            process: { body, database in
                let payload = KommoWebhookPayload(body)
                let processor = DealProcessor(
                    settings: settings, sales: SalesRepository(database: database), accountID: payload.accountID,
                    fanOut: try EventFanOut(database: database))
                return try payload.leadEvents.map(processor.process)
            },
            record: { arrival, request, database in
                let ids = try logEntries(for: arrival, request: request).map { try $0.insert(into: database, for: request) }
                return { try ids.map { String(try $0.value()) }.joined(separator: ",") }
            },
            respond: { arrival, logIDs in
                var answer = JSONObject([("success", true), ("log_ids", .array(logIDs.split(separator: ",").map { .number(String($0)) }))])
                switch arrival {
                case .processed(_, let deals): answer["deals"] = .array(deals.map(\.json))
                case .failed(_, let reason):
                    answer["processing_status"] = "error"
                    answer["error"] = .string(reason)
                case .refused: break
                }
                return .json(.object(answer))
            })
        return try intake.receive(request, context: context)
    }

    /// GET /webhook/amocrm/test, answered as seed 001 documents it, for uptime checks.
    static var status: Response {
        .json([
            "success": true, "message": "Unified AmoCRM webhook endpoint is active", "version": "2.0.0",
            "supported_routes": ["referral", "traffic", "both", "unknown"],
        ])
    }

    /// One row per deal; a body without deals, a failed one or a refused one gets one row.
    static func logEntries(for arrival: Arrival<[DealResult]>, request: Request) -> [WebhookLogEntry] {
        switch arrival {
        case .refused(let error):
            return [.refusal(source: source, error, request: request)]
        case .failed(let body, let reason):
            return [.failure(source: source, body: body, reason: reason)]
        case .processed(let body, let deals):
            guard !deals.isEmpty else { return [WebhookLogEntry(source: source, dealData: body, status: .success)] }
            return deals.map { deal in
                WebhookLogEntry(
                    source: source, pipelineID: deal.pipelineID, leadID: deal.leadID, dealData: body, utmSource: deal.utm[.source],
                    utmCampaign: deal.utm[.campaign], routingDecision: deal.routing?.decision.rawValue,
                    status: deal.outcome == .error ? .error : .success, errorMessage: deal.error)
            }
        }
    }
}
