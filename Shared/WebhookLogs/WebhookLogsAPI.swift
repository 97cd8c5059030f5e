import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// admin-webhook-logs: what arrived from every source, for people and scripts.
///
/// - `GET  /api/admin/webhook-logs`: filters `source`, `status`, `routing`, `lead_id`, `since`,
///   `until`, `q`; `limit` (default 50, at most 1000); newest first, with `next_cursor` and
///   `next` (the next page's query, filters included) while more follow.
/// - `GET  /api/admin/webhook-logs/viewer`: the HTML viewer (it asks for a key; data needs one).
/// - `GET  /api/admin/webhook-logs/{id}`: one log with its full payload, results and raw body.
/// - `POST /api/admin/webhook-logs/{id}/replay`: re-run a stored event (scope `logs:replay`).
public enum WebhookLogsAPI {
    public static let name = "admin-webhook-logs"
    static let root = "/api/admin/webhook-logs"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try AdminHeaders.around(request, context) { try route(request, context: context) }
    }

    static func route(_ request: Request, context: FunctionContext) throws -> Response {
        let parts = request.segments(under: root)
        switch parts.count {
        case 0:
            try request.require(method: .get)
            let database = try context.openStore()
            _ = try request.requireAdminKey(.logsRead, in: database)
            return try list(LogQuery(request.query, dialect: database.dialect), database: database)
        case 1 where parts[0] == "viewer":
            try request.require(method: .get)
            return ViewerPage.response
        case 1:
            try request.require(method: .get)
            let database = try context.openStore()
            _ = try request.requireAdminKey(.logsRead, in: database)
            return try one(parts[0], database: database)
        case 2 where parts[1] == "replay":
            try request.require(method: .post)
            let database = try context.openStore()
            _ = try request.requireAdminKey(.logsReplay, in: database)
            return try Replay.run(logID: parts[0], database: database, context: context)
        default:
            throw HTTPError.notFound("No such admin resource: \(request.path).")
        }
    }

    static func list(_ query: LogQuery, database: Database) throws -> Response {
        var rows = try database.query(query.sql, query.parameters)
        let hasMore = rows.count > query.limit
        if hasMore { rows.removeLast() }
        let nextCursor = hasMore ? rows.last?[0].integer : nil
        return .json([
            "success": true, "logs": .array(rows.map { LogEntry.json($0) }),
            "pagination": [
                "limit": JSONValue(Int64(query.limit)), "has_more": .bool(hasMore), "next_cursor": JSONValue(nextCursor),
                "next": JSONValue(nextCursor.map(query.nextPage)),
            ],
        ])
    }

    static func one(_ logID: String, database: Database) throws -> Response {
        let columns = LogEntry.listColumns + ["results", "raw_body", "content_type"]
        guard
            let row = try database.queryRow(
                """
                SELECT log_seq, log_id, source, received_at, event_type, status, routing_decision, pipeline_id, lead_id, utm_source,
                    utm_campaign, error_message, payload, outcome, processed_at, processing_ms, results, raw_body, content_type
                FROM inbound_logs WHERE log_id = ?
                """, [.text(logID)])
        else { throw HTTPError.notFound("No log \(logID).") }
        return .json(["success": true, "log": LogEntry.json(row, columns: columns)])
    }
}
