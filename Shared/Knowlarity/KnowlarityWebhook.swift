public import FunctionKit
import FunctionCatalog
import HTTPTypes
public import LeadwireStore
import WebhookIntake

/// knowlarity-webhook: Knowlarity telephony calls into `knowlarity_calls` and, through seed 003's
/// de-duplication, `leads_master`; one `webhook_logs` row (source `knowlarity`) per request,
/// durable first.
public enum KnowlarityWebhook {
    public static let name = "knowlarity-webhook"
    static let source = "knowlarity"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .post, .get)
        try SenderGate(function: name, access: .knowlarityWebhook).admit(request, context: context)
        let settings = try context.resources.value { try KnowlaritySettings(context.environment) }
        try settings.verifySignature(request)
        return try receive(request.method == .get ? callFromQuery(request) : request, context: context, settings: settings)
    }

    /// Some Knowlarity hooks are configured as GET, with the call's fields in the query string
    /// (`?uuid=…&Customer_Number=…`). They become the JSON body a POST hook would send, without
    /// the token, so the call is checked, stored and answered exactly as one.
    static func callFromQuery(_ request: Request) -> Request {
        var fields = JSONObject()
        for (name, value) in request.query.pairs where name != "token" && fields[name] == nil { fields[name] = .string(value) }
        var call = request
        call.body = Array(JSONValue.object(fields).jsonText.utf8)
        call.headers[.contentType] = "application/json"
        call.headers[.contentLength] = String(call.body.count)
        return call
    }

    /// Stores and processes an authenticated request (or a replayed one).
    public static func receive(_ request: Request, context: FunctionContext) throws -> Response {
        try receive(request, context: context, settings: KnowlaritySettings(context.environment))
    }

    static func receive(_ request: Request, context: FunctionContext, settings: KnowlaritySettings) throws -> Response {
        let now = context.clock()

        let intake = DurableIntake<CallResult?>(
            process: { body, database in
                let processor = CallProcessor(
                    database: database, phones: settings.phones, timeZone: settings.timeZone, now: now, fanOut: try EventFanOut(database: database))
                return try processor.process(KnowlarityCall(body: body))
            },
            record: { arrival, request, database in
                let id = try logEntry(for: arrival, request: request).insert(into: database, for: request)
                return { String(try id.value()) }
            },
            respond: { arrival, logID in
                var answer = JSONObject([("success", true), ("message", "Webhook processed"), ("log_id", .number(logID))])
                switch arrival {
                case .processed(_, let result?):
                    answer["call_uuid"] = .string(result.callUUID)
                    answer["outcome"] = .string(result.outcome.rawValue)
                    answer["lead_id"] = JSONValue(result.leadID)
                    if let error = result.error { answer["error"] = .string(error) }
                case .processed(_, nil): answer["error"] = .string(missingUUID)
                case .failed(_, let reason): answer["error"] = .string(reason)
                case .refused: break
                }
                return .json(.object(answer))
            })
        return try intake.receive(request, context: context)
    }

    /// A call's uuid (as the hook or the call log lists it), under any of the names Knowlarity uses.
    public static func uuid(of call: JSONValue) -> String? { KnowlarityCall(body: call).uuid }

    /// Whether the call with this uuid is stored already.
    public static func isStored(uuid: String, in database: Database) throws -> Bool {
        try database.queryRow("SELECT 1 FROM knowlarity_calls WHERE call_uuid = ?", [.text(uuid)]) != nil
    }

    static let missingUUID = "the call has no uuid (uuid, call_uuid, callid or id), so it cannot be stored once and only once"

    static func logEntry(for arrival: Arrival<CallResult?>, request: Request) -> WebhookLogEntry {
        switch arrival {
        case .refused(let error):
            return .refusal(source: source, error, request: request)
        case .failed(let body, let reason):
            return .failure(source: source, body: body, reason: reason)
        case .processed(let body, nil):
            return WebhookLogEntry(source: source, dealData: body, status: .error, errorMessage: missingUUID)
        case .processed(let body, let result?):
            return WebhookLogEntry(
                source: source, leadID: result.leadID, dealData: body, status: result.error == nil ? .success : .error,
                errorMessage: result.error, outcome: result.outcome.rawValue)
        }
    }
}
