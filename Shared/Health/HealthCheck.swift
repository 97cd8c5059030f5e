public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// health: `GET /health`, for load balancers, uptime checks and a first look after a deploy.
/// 200 `{"status":"ok","version","schema_version"}` when the store opens and answers a read;
/// 503 `{"status":"unavailable","version","message"}` when it does not. Never cached.
public enum HealthCheck {
    public static let name = "health"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .get, .head)
        var answer = JSONObject([("status", "ok"), ("version", .string(LeadwireVersion.string))])
        var response: Response
        do {
            let database = try context.openStore()
            answer["schema_version"] = JSONValue(try database.schemaVersion())
            response = .json(.object(answer))
        } catch {
            answer["status"] = "unavailable"
            answer["message"] = .string((error as? HTTPError)?.message ?? "The store does not answer: \(error)")
            response = .json(.object(answer), status: .serviceUnavailable)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
