import FunctionKit
import LeadwireStore

/// The filters of `GET /api/leads`, read and checked from the query string: the ones the Kommo
/// guide's frontend uses (`is_deleted`, `kommo_id`) and the pipeline, status, account, update
/// time and name. Every value is bound as a parameter; the SQL text only holds fixed fragments.
struct LeadsQuery {
    static let defaultLimit = 50
    static let maxLimit = 1000
    static let parameters = [
        "is_deleted", "kommo_id", "pipeline_id", "status_id", "account_id", "updated_since", "updated_before", "q", "cursor", "limit",
    ]
    static let columns = [
        "id", "kommo_id", "account_id", "account_subdomain", "name", "status_id", "pipeline_id", "responsible_user_id", "price",
        "event_type", "is_deleted", "crm_updated_at", "created_at", "updated_at", "raw_data",
    ]

    private(set) var conditions: [String] = []
    private(set) var parameters: [SQLValue] = []
    private(set) var limit = defaultLimit
    private(set) var cursor: LeadsCursor?
    /// The filters as understood (`kommo_id=007` is `7`), for the next page's query.
    private(set) var filters: [(name: String, value: String)] = []

    init(_ query: QueryParameters, dialect: SQLDialect) throws(HTTPError) {
        // A misspelt filter must not quietly widen the listing to every lead.
        if let unknown = query.pairs.first(where: { !Self.parameters.contains($0.name) }) {
            throw .badRequest(
                "Unknown parameter \(unknown.name.prefix(40)); leads accept \(Self.parameters.joined(separator: ", ")).", code: .invalidParameter)
        }
        if let text = query["is_deleted"] {
            let deleted: Bool
            switch text {
            case "true", "1": deleted = true
            case "false", "0": deleted = false
            default: throw .badRequest("is_deleted must be true or false, got \"\(text.prefix(40))\".", code: .invalidParameter)
            }
            conditions.append(deleted ? "is_deleted = \(dialect == .sqlite ? "1" : "true")" : "is_deleted = \(dialect == .sqlite ? "0" : "false")")
            filters.append(("is_deleted", String(deleted)))
        }
        for name in ["kommo_id", "pipeline_id", "status_id", "account_id"] {
            guard let text = query[name] else { continue }
            guard let number = Int64(text) else {
                throw .badRequest("\(name) must be a whole number, got \"\(text.prefix(40))\".", code: .invalidParameter)
            }
            add("\(name) = ?", .integer(number))
            filters.append((name, String(number)))
        }
        if let since = try query.instant("updated_since") {
            add("updated_at >= ?", .text(since))
            filters.append(("updated_since", since))
        }
        if let before = try query.instant("updated_before") {
            add("updated_at < ?", .text(before))
            filters.append(("updated_before", before))
        }
        if let text = query["q"], !text.isEmpty {
            guard text.count <= 200 else { throw .badRequest("q is limited to 200 characters.", code: .invalidParameter) }
            add(dialect.contains("lower(coalesce(name, ''))", "lower(?)"), .text(text))
            filters.append(("q", text))
        }
        if let text = query["limit"] {
            guard let limit = Int(text), (1...Self.maxLimit).contains(limit) else {
                throw .badRequest("limit must be a whole number from 1 to \(Self.maxLimit), got \"\(text.prefix(40))\".", code: .invalidParameter)
            }
            self.limit = limit
            filters.append(("limit", String(limit)))
        }
        cursor = try query["cursor"].map { text throws(HTTPError) in try LeadsCursor(text) }
    }

    /// Most recently updated first (the Kommo guide's `order('updated_at', desc)`), one row more
    /// than the page so the caller knows whether another follows.
    func page(_ dialect: SQLDialect) -> (sql: String, parameters: [SQLValue]) {
        var conditions = conditions
        var parameters = parameters
        if let cursor {
            conditions.append("(updated_at < ? OR (updated_at = ? AND id < ?))")
            parameters += [.text(cursor.updatedAt), .text(cursor.updatedAt), .text(cursor.id)]
        }
        let sql = """
            SELECT \(Self.selectList(dialect)) FROM kommo_leads\(Self.whereClause(conditions))
            ORDER BY updated_at DESC, id DESC LIMIT \(limit + 1)
            """
        return (sql, parameters)
    }

    /// Every lead the filters select, whichever page this is.
    var countSQL: String { "SELECT count(*) FROM kommo_leads" + Self.whereClause(conditions) }

    private static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// The columns in `columns`' order; PostgreSQL's uuid is compared and paged as text.
    static func selectList(_ dialect: SQLDialect) -> String {
        columns.map { $0 == "id" && dialect == .postgres ? "id::text AS id" : $0 }.joined(separator: ", ")
    }

    func nextPage(after cursor: LeadsCursor) -> String {
        "?" + URLEncoding.query(filters + [("cursor", cursor.text)])
    }

    private mutating func add(_ condition: String, _ values: SQLValue...) {
        conditions.append(condition)
        parameters += values
    }
}

/// Where a page ended: the last lead's update time and id (`<updated_at>_<id>`), so the next
/// page starts after it however many leads arrive meanwhile.
struct LeadsCursor {
    let updatedAt: String
    let id: String

    init(updatedAt: String, id: String) {
        self.updatedAt = updatedAt
        self.id = id
    }

    init(_ text: String) throws(HTTPError) {
        let parts = text.split(separator: "_", maxSplits: 1)
        let refused = HTTPError.badRequest("cursor must be a next_cursor value from a previous page.", code: .invalidParameter)
        guard parts.count == 2, parts[1].count <= 64, parts[1].allSatisfy({ $0.isHexDigit || $0 == "-" }),
            let instant = try? QueryParameters.instant(String(parts[0]), parameter: "cursor")
        else { throw refused }
        updatedAt = instant
        id = String(parts[1])
    }

    var text: String { updatedAt + "_" + id }
}
