public import FunctionKit
import FunctionCatalog
import HTTPTypes
import LeadwireStore
import WebhookIntake

/// kommo-webhook: Kommo lead events into `kommo_leads`, one `kommo_webhook_logs` row per request,
/// following the durable-first rule of `DurableIntake`.
public enum KommoWebhook {
    public static let name = "kommo-webhook"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .post)
        try SenderGate(function: name, access: .kommoWebhook).admit(request, context: context)
        return try receive(request, context: context)
    }

    /// Stores and processes an authenticated request (or a replayed one).
    public static func receive(_ request: Request, context: FunctionContext) throws -> Response {
        let receivedAt = context.clock().secondsSince1970
        let intake = DurableIntake<KommoProcessing>(
            process: { body, database in try KommoProcessing(KommoWebhookPayload(body), database: database, receivedAt: receivedAt) },
            record: { arrival, request, database in
                let id = try KommoWebhookLog(arrival, request: request).insert(into: database)
                return { id }
            },
            respond: { arrival, logID in
                let log = KommoWebhookLog(arrival, request: request)
                return .json(["status": .string(log.status.rawValue), "log_id": .string(logID), "results": log.results ?? .array([])])
            })
        return try intake.receive(request, context: context)
    }
}

/// The lead events of one body, applied to `kommo_leads`.
struct KommoProcessing {
    let payload: KommoWebhookPayload
    let results: [EventResult]

    init(_ payload: KommoWebhookPayload, database: Database, receivedAt: Int64) throws {
        let processor = LeadEventProcessor(
            repository: KommoLeadRepository(database: database), accountID: payload.accountID,
            subdomain: payload.accountSubdomain, receivedAt: receivedAt, fanOut: try EventFanOut(database: database))
        self.payload = payload
        self.results = try processor.apply(payload.leadEvents)
    }

    var status: KommoWebhookLog.Status {
        let failed = results.filter { $0.outcome == .error }.count
        if failed == 0 { return .success }
        return failed == results.count ? .error : .partial
    }

    /// One entry per lead event, then one per other kind of event (ignored, with its count).
    var resultsJSON: JSONValue {
        .array(
            results.map(\.json)
                + payload.otherEvents.map { ["event": .string($0.kind), "count": JSONValue(Int64($0.count)), "outcome": "ignored"] })
    }
}
