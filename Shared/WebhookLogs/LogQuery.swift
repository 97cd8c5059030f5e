import FunctionCatalog
import FunctionKit
import LeadwireStore

/// The filters of `GET /api/admin/webhook-logs`, read and checked from the query string.
/// Every value is bound as a parameter; the SQL text only ever contains fixed fragments.
struct LogQuery {
    static let sources = Catalog.logSources
    static let statuses = ["success", "error", "partial"]
    static let routes = ["referral", "traffic", "both", "unknown"]
    static let defaultLimit = 50
    static let maxLimit = 1000
    static let parameters = ["source", "status", "routing", "lead_id", "since", "until", "q", "cursor", "limit"]

    var conditions: [String] = []
    var parameters: [SQLValue] = []
    var limit = defaultLimit
    /// The filters as read, each spelt as it was understood (`lead_id=007` is `7`, a time is
    /// UTC to the millisecond), `cursor` left out: the query of this same listing.
    private(set) var filters: [(name: String, value: String)] = []

    init(_ query: QueryParameters, dialect: SQLDialect) throws(HTTPError) {
        // A misspelt filter must not quietly widen the listing to every log.
        if let unknown = query.pairs.first(where: { !Self.parameters.contains($0.name) }) {
            throw .badRequest(
                "Unknown parameter \(unknown.name); the logs accept \(Self.parameters.joined(separator: ", ")).", code: .invalidParameter)
        }
        if let source = query["source"] {
            try add("source = ?", .text(Self.oneOf(source, Self.sources, "source")))
            filters.append(("source", source))
        }
        if let status = query["status"] {
            try add("status = ?", .text(Self.oneOf(status, Self.statuses, "status")))
            filters.append(("status", status))
        }
        if let routing = query["routing"] {
            try add("routing_decision = ?", .text(Self.oneOf(routing, Self.routes, "routing")))
            filters.append(("routing", routing))
        }
        if let text = query["lead_id"] {
            guard let lead = Int64(text) else { throw .badRequest("lead_id must be a whole number, got \"\(text)\".") }
            filters.append(("lead_id", String(lead)))
            // Kommo logs carry several leads each; their ids are in the per-event results.
            add(
                "(lead_id = ? OR (source = 'kommo' AND EXISTS (SELECT 1 FROM \(dialect.jsonArrayElements("results", as: "result")) "
                    + "WHERE \(dialect.jsonText("result.value", ["kommo_id"])) = ?)))",
                .integer(lead), .integer(lead))
        }
        if let since = try query.instant("since") {
            add("received_at >= ?", .text(since))
            filters.append(("since", since))
        }
        if let until = try query.instant("until") {
            add("received_at < ?", .text(until))
            filters.append(("until", until))
        }
        if let text = query["q"], !text.isEmpty {
            guard text.count <= 200 else { throw .badRequest("q is limited to 200 characters.") }
            filters.append(("q", text))
            let (payload, rawBody) = dialect == .sqlite ? ("payload", "raw_body") : ("payload::text", "leadwire_body_text(raw_body)")
            add(
                dialect.contains("lower(coalesce(\(payload), '') || ' ' || coalesce(\(rawBody), '') || ' ' || coalesce(error_message, ''))", "lower(?)"),
                .text(text))
        }
        if let text = query["cursor"] {
            guard let cursor = Int64(text), cursor > 0 else { throw .badRequest("cursor must be a next_cursor value from a previous page.") }
            add("log_seq < ?", .integer(cursor))
        }
        if let text = query["limit"] {
            guard let limit = Int(text), (1...Self.maxLimit).contains(limit) else {
                throw .badRequest("limit must be a whole number from 1 to \(Self.maxLimit), got \"\(text)\".")
            }
            self.limit = limit
            filters.append(("limit", String(limit)))
        }
    }

    /// The query of the page after `cursor` (`?source=kommo&cursor=1234`), a reference relative
    /// to the listing's own address: the same filters, whatever a client changed meanwhile.
    func nextPage(after cursor: Int64) -> String {
        "?" + URLEncoding.query(filters + [("cursor", String(cursor))])
    }

    /// Newest first, one row more than the page so the caller knows whether another follows.
    var sql: String {
        """
        SELECT log_seq, log_id, source, received_at, event_type, status, routing_decision, pipeline_id, lead_id, utm_source,
            utm_campaign, error_message, payload, outcome, processed_at, processing_ms
        FROM inbound_logs\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        ORDER BY log_seq DESC LIMIT \(limit + 1)
        """
    }

    private mutating func add(_ condition: String, _ values: SQLValue...) {
        conditions.append(condition)
        parameters += values
    }

    private static func oneOf(_ value: String, _ allowed: [String], _ name: String) throws(HTTPError) -> String {
        guard allowed.contains(value) else { throw .badRequest("\(name) must be one of \(allowed.joined(separator: ", ")), got \"\(value)\".") }
        return value
    }
}
