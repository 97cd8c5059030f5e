import FunctionCatalog
import FunctionKit
import HTTPTypes
import LeadwireStore

/// Re-runs a stored event through its function, as if it had just arrived, and answers with
/// what the function answered. The function's own executable runs it, started as a CGI host
/// starts it, with this function's settings and `LEADWIRE_REPLAY_OF` set (so the sender's token
/// and signature checks, done when the event first arrived, are skipped). The new result is a
/// new log row of its own, so the history of what happened stays intact.
enum Replay {
    static func run(logID: String, database: Database, context: FunctionContext) throws -> Response {
        guard
            let row = try database.queryRow(
                "SELECT source, payload, raw_body, content_type FROM inbound_logs WHERE log_id = ?", [.text(logID)])
        else { throw HTTPError.notFound("No log \(logID).") }
        let source = row[0].text ?? ""
        guard let function = Catalog.function(loggingAs: source), let route = function.routes.first else {
            throw HTTPError(.conflict, code: .notReplayable, message: "Logs from \(source) cannot be replayed.")
        }
        let (body, contentType) = try storedEvent(source: source, payload: row[1].text, rawBody: row[2], contentType: row[3].text)
        let executable = try FunctionsFolder.executable(function.name, environment: context.environment)

        var variables = CGIInvocation.settings(from: context.environment.values)
        // The function reads its own secret files: a secret goes as the file it came from, not
        // also as the value read from it (both set is a configuration error).
        for name in variables.keys where name.hasSuffix("_FILE") { variables[String(name.dropLast(5))] = nil }
        variables[Environment.replayVariable] = logID
        variables["GATEWAY_INTERFACE"] = "CGI/1.1"
        variables["REQUEST_METHOD"] = "POST"
        variables["SCRIPT_NAME"] = route.path
        variables["PATH_INFO"] = ""
        variables["QUERY_STRING"] = ""
        variables["REMOTE_ADDR"] = "replay"
        variables["CONTENT_LENGTH"] = String(body.count)
        variables["CONTENT_TYPE"] = contentType
        variables["HTTP_USER_AGENT"] = "leadwire-replay"
        let answer: Response
        do {
            answer = try CGIInvocation.run(executable, variables: variables, body: body, timeout: .seconds(30))
        } catch {
            context.logger.error("replay_failed", ["log_id": .string(logID), "message": .string(error.description)])
            throw HTTPError(.badGateway, code: .replayFailed, message: "\(function.name) did not answer the replay: \(error.description)")
        }
        let result = (try? JSONValue(parsing: answer.body)) ?? .string(String(decoding: answer.body, as: UTF8.self))
        guard answer.status.kind != .serverError else {
            let reason = result["error"]?["message"]?.text ?? "status \(answer.status.code)"
            context.logger.error("replay_failed", ["log_id": .string(logID), "status": JSONValue(Int64(answer.status.code))])
            throw HTTPError(.badGateway, code: .replayedFunctionFailed, message: "\(function.name) answered the replay with \(answer.status.code): \(reason)")
        }
        // `success` says whether the function took the event this time; a 4xx is its answer, not a failure to replay.
        return .json([
            "success": .bool(answer.status.kind == .successful), "replay_of": .string(logID), "status": JSONValue(Int64(answer.status.code)),
            "result": result,
        ])
    }

    /// The bytes to send again. Kommo logs keep the raw body (text, or a BLOB when it was not
    /// UTF-8); the other logs keep the parsed payload, or for a refused body the raw body as
    /// `raw_body` or `raw_body_base64` beside `content_type` (see `Request.rawBodyJSON`).
    private static func storedEvent(source: String, payload: String?, rawBody: SQLValue, contentType: String?) throws
        -> ([UInt8], String?)
    {
        if source == "kommo" {
            switch rawBody {
            case .text(let text): return (Array(text.utf8), contentType)
            case .blob(let bytes): return (bytes, contentType)
            default: throw nothingStored
            }
        }
        guard let payload else { throw nothingStored }
        let refusalKeys: Set = ["raw_body", "raw_body_base64", "content_type", "declared_length"]
        if let kept = try? JSONValue(parsing: payload), let object = kept.object, object["content_type"] != nil,
            Set(object.keys).isSubset(of: refusalKeys)
        {
            if let text = kept["raw_body"]?.text { return (Array(text.utf8), kept["content_type"]?.text) }
            if let encoded = kept["raw_body_base64"]?.text, let bytes = Base64.decode(encoded) { return (bytes, kept["content_type"]?.text) }
            throw nothingStored
        }
        return (Array(payload.utf8), "application/json")
    }

    private static let nothingStored = HTTPError(
        .conflict, code: .notReplayable, message: "This log kept no body (it was refused as too large), so there is nothing to replay.")
}
