public import FunctionKit
import FunctionStore
import FunctionCatalog
import SystemCrypto
import HTTPTypes
import LeadwireStore
import WebhookIntake

/// widget-request: the backend of a Kommo Salesbot widget step (seed 002). The request is
/// checked (its token, its return URL), queued durably for the worker, and answered
/// `{"status": "ok"}` at once: Kommo waits 2 seconds, and the bot resumes only when the reply
/// reaches `return_url`, which the worker sends. Kommo may deliver a request twice: the same
/// `return_url` is queued once. Every request gets a `webhook_logs` row (source `widget`), a
/// refused one too; the token itself is never stored.
public enum WidgetRequestAPI {
    public static let name = "widget-request"
    public static let topic = "widget.reply"
    static let source = "widget"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .post)
        try SenderGate(function: name, access: .widgetRequest).admit(request, context: context)
        let settings = try context.resources.value { try WidgetSettings(context.environment) }
        let functionSettings = try FunctionSettings(context.environment)
        let body: JSONValue
        let widget: WidgetRequest
        do {
            body = try request.decodedBody(accepting: [.json], limits: functionSettings.bodyLimits)
            widget = try WidgetRequest(body, settings: settings, now: context.clock().secondsSince1970)
        } catch {
            context.logger.error("widget_request_refused", ["code": .string(error.code.rawValue), "message": .string(error.message)])
            try? log(refusal(error, of: request), of: request, context: context)
            throw error
        }
        var kept = body.object ?? JSONObject()
        kept["token"] = "(not stored)"
        kept["claims"] = widget.token.json
        let leadID = widget.token.entityType == 2 ? widget.token.entityID : nil
        let database = try context.openStore()
        let queued: Bool
        do {
            queued = try database.transaction(deadline: request.receivedAt + functionSettings.webhookDeadline) {
                let added = try Outbox.enqueueIfNew(
                    topic: topic, payload: widget.message.jsonText, idempotencyKey: "widget:" + Hex.encode(SHA256.hash(Array(widget.returnURL.utf8))),
                    in: database)
                _ = try WebhookLogEntry(
                    source: source, leadID: leadID, dealData: .object(kept), status: .success, errorMessage: added ? nil : "a repeat of a queued request; not queued again"
                ).insert(into: database, for: request)
                return added
            }
        } catch {
            context.logger.error("store_failed", ["message": .string(String(describing: error))])
            throw HTTPError.serviceUnavailable("The request could not be stored in time; nothing was kept, retry later.")
        }
        return .json(queued ? ["status": "ok"] : ["status": "ok", "duplicate": true])
    }

    /// A refused request is logged by its size and the reason only: anyone can send one, and
    /// keeping each body would let them fill the disk.
    static func refusal(_ error: HTTPError, of request: Request) -> WebhookLogEntry {
        let size = request.bodyLimitExceeded?.length ?? request.body.count
        return WebhookLogEntry(
            source: source, dealData: .object(JSONObject([("refused_bytes", JSONValue(Int64(size))), ("content_type", JSONValue(request.headers[.contentType]))])),
            status: .error, errorMessage: "\(error.code): \(error.message)")
    }

    private static func log(_ entry: WebhookLogEntry, of request: Request, context: FunctionContext) throws {
        let database = try context.openStore()
        _ = try database.transaction { try entry.insert(into: database, for: request) }
    }
}
