import AmoCRM
import FunctionKit
import HTTPTypes
import Knowlarity
import Kommo
import LeadwireStore

/// Re-runs a stored event through its function, as if it had just arrived, and answers with
/// what the function answered. The new result is a new log row of its own, so the history of
/// what happened stays intact.
enum Replay {
    static func run(logID: String, database: Database, context: FunctionContext) throws -> Response {
        guard
            let row = try database.queryRow(
                "SELECT source, payload, raw_body, content_type FROM inbound_logs WHERE log_id = ?", [.text(logID)])
        else { throw HTTPError.notFound("No log \(logID).") }
        let source = row[0].text ?? ""
        let (body, contentType) = try storedEvent(source: source, payload: row[1].text, rawBody: row[2].text, contentType: row[3].text)

        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        let receive: (Request, FunctionContext) throws -> Response
        let path: String
        switch source {
        case "kommo": (receive, path) = (KommoWebhook.receive, "/kommo-webhook")
        case "amocrm": (receive, path) = (AmoCRMWebhook.receive, "/webhook/amocrm")
        case "knowlarity": (receive, path) = (KnowlarityWebhook.receive, "/webhooks/knowlarity")
        default: throw HTTPError(.conflict, code: "not_replayable", message: "Logs from \(source) cannot be replayed.")
        }
        let request = Request(method: .post, path: path, headers: headers, body: Array(body.utf8), remoteAddress: "replay")
        let answer: Response
        do {
            answer = try receive(request, context)
        } catch let error as HTTPError {
            answer = error.response
        }
        let result = (try? JSONValue(parsing: answer.body)) ?? .string(String(decoding: answer.body, as: UTF8.self))
        return .json(["success": true, "replay_of": .string(logID), "status": JSONValue(Int64(answer.status.code)), "result": result])
    }

    /// The bytes to send again. Kommo logs keep the raw body; the other logs keep the parsed
    /// payload, or for a refused body `{"raw_body": ..., "content_type": ...}`.
    private static func storedEvent(source: String, payload: String?, rawBody: String?, contentType: String?) throws
        -> (String, String?)
    {
        if source == "kommo" {
            guard let rawBody else { throw nothingStored }
            return (rawBody, contentType)
        }
        guard let payload else { throw nothingStored }
        if let kept = try? JSONValue(parsing: payload), let object = kept.object, object["raw_body"] != nil || object["declared_length"] != nil,
            object.keys.allSatisfy(["raw_body", "content_type", "declared_length"].contains)
        {
            guard let raw = kept["raw_body"]?.text else { throw nothingStored }
            return (raw, kept["content_type"]?.text)
        }
        return (payload, "application/json")
    }

    private static let nothingStored = HTTPError(
        .conflict, code: "not_replayable", message: "This log kept no body (it was refused as too large), so there is nothing to replay.")
}
