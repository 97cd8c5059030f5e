public import FunctionKit
import HTTPTypes
import LeadwireStore

/// kommo-webhook: Kommo lead events into `kommo_leads`, one `kommo_webhook_logs` row per request.
///
/// Durable first: the raw request and its processing are written in one transaction, and the
/// answer is 200 once that commits, even when the content could not be processed (the log row
/// then says error and keeps everything needed to replay it). Only a store that cannot take
/// the write gets 503, so Kommo retries. A body that is not JSON or form fields is refused
/// with 400/415 and still logged, so nothing that reached the function is lost.
public enum KommoWebhook {
    public static let name = "kommo-webhook"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .post)
        try authorize(request, settings: KommoWebhookSettings(context.environment))

        let body: JSONValue
        do {
            body = try request.decodedBody()
        } catch {
            logRefusal(of: request, because: error, context: context)
            throw error
        }

        let payload = KommoWebhookPayload(body)
        let database = try context.openStore()
        let receivedAt = Timestamp.now().secondsSince1970
        do {
            return try database.transaction {
                var log = KommoWebhookLog(
                    eventType: payload.eventKinds, payload: body, status: .success, accountID: payload.accountID,
                    accountSubdomain: payload.accountSubdomain, request: request)
                do {
                    let results = try database.savepoint {
                        try process(payload, in: database, receivedAt: receivedAt)
                    }
                    log.results = .array(results.map(\.json) + payload.otherEvents.map(ignoredResult))
                    log.status = status(of: results)
                    log.errorMessage = results.compactMap(\.error).first
                } catch {
                    // The event stays stored with the reason; it can be replayed after a fix.
                    log.status = .error
                    log.errorMessage = "processing failed: \(error)"
                    context.logger.error("processing_failed", ["message": .string(String(describing: error))])
                }
                let logID = try log.insert(into: database)
                return Response.json(
                    ["status": .string(log.status.rawValue), "log_id": .string(logID), "results": log.results ?? .array([])])
            }
        } catch {
            context.logger.error("store_failed", ["message": .string(String(describing: error))])
            throw HTTPError.serviceUnavailable("The event could not be stored; retry later.")
        }
    }

    static func authorize(_ request: Request, settings: KommoWebhookSettings) throws(HTTPError) {
        guard let expected = settings.token else { return }
        let presented = request.query["token"] ?? request.headers[.webhookToken]
        guard let presented, constantTimeEquals(presented, expected) else {
            throw .unauthorized("A valid webhook token is required (?token= or X-Webhook-Token).")
        }
    }

    private static func process(_ payload: KommoWebhookPayload, in database: Database, receivedAt: Int64) throws -> [EventResult] {
        let processor = LeadEventProcessor(
            repository: KommoLeadRepository(database: database), accountID: payload.accountID,
            subdomain: payload.accountSubdomain, receivedAt: receivedAt)
        return try payload.leadEvents.map(processor.apply)
    }

    private static func status(of results: [EventResult]) -> KommoWebhookLog.Status {
        let failed = results.filter { $0.outcome == .error }.count
        if failed == 0 { return .success }
        return failed == results.count ? .error : .partial
    }

    private static func ignoredResult(_ other: (kind: String, count: Int)) -> JSONValue {
        ["event": .string(other.kind), "count": JSONValue(Int64(other.count)), "outcome": "ignored"]
    }

    /// Keeps a refused request in the log. If even that fails, the refusal still stands: the
    /// sender gets the 4xx that explains its mistake, and stderr gets the store failure.
    private static func logRefusal(of request: Request, because error: HTTPError, context: FunctionContext) {
        do {
            let database = try context.openStore()
            let log = KommoWebhookLog(
                eventType: "unknown", status: .error, errorMessage: "\(error.code): \(error.message)", request: request)
            _ = try database.transaction { try log.insert(into: database) }
        } catch {
            context.logger.error("refusal_not_logged", ["message": .string(String(describing: error))])
        }
    }
}
