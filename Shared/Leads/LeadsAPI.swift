import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// leads: `kommo_leads` for frontends, read-only, with a key that can do nothing else
/// (scope `leads:read`), and CORS for the origins `LEADWIRE_CORS_ORIGINS` lists.
///
/// - `GET /api/leads`: filters `is_deleted`, `kommo_id`, `pipeline_id`, `status_id`,
///   `account_id`, `updated_since`, `updated_before`, `q` (in the name); most recently updated
///   first; `limit` (default 50, at most 1000); `pagination` as the users listing's, with
///   `nextCursor` and `next` (the next page's query, filters included).
/// - `GET /api/leads/{kommo_id}`: one lead (`?account_id=` where several accounts share the
///   store and the id).
public enum LeadsAPI {
    public static let name = "leads"
    static let root = "/api/leads"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try AdminHeaders.around(request, context) { try route(request, context: context) }
    }

    static func route(_ request: Request, context: FunctionContext) throws -> Response {
        let parts = request.segments(under: root)
        guard request.path == root || request.path.hasPrefix(root + "/"), parts.count <= 1 else {
            throw HTTPError.notFound("No such leads resource: \(request.path.prefix(200)); the listing is \(root).")
        }
        try request.require(method: .get, .head)
        let database = try context.openStore()
        _ = try request.requireAdminKey(.leadsRead, in: database)
        return parts.isEmpty ? try list(LeadsQuery(request.query, dialect: database.dialect), database: database) : try one(parts[0], request, database)
    }

    static func list(_ query: LeadsQuery, database: Database) throws -> Response {
        let total = try database.queryRow(query.countSQL, query.parameters)?[0].integer ?? 0
        let page = query.page(database.dialect)
        var rows = try database.query(page.sql, page.parameters)
        let hasMore = rows.count > query.limit
        if hasMore { rows.removeLast() }
        let nextCursor = hasMore ? rows.last.map { LeadsCursor(updatedAt: $0[13].text ?? "", id: $0[0].text ?? "") } : nil
        return .json([
            "success": true, "leads": .array(rows.map(lead)),
            "pagination": [
                "total": JSONValue(total), "limit": JSONValue(Int64(query.limit)), "hasMore": .bool(hasMore),
                "nextCursor": JSONValue(nextCursor?.text), "next": JSONValue(nextCursor.map(query.nextPage)),
            ],
        ])
    }

    static func one(_ idText: String, _ request: Request, _ database: Database) throws -> Response {
        guard let kommoID = Int64(idText) else {
            throw HTTPError.badRequest("A lead's address is \(root)/<kommo_id>, a whole number; got \"\(idText.prefix(40))\".", code: .invalidParameter)
        }
        if let unknown = request.query.pairs.first(where: { $0.name != "account_id" }) {
            throw HTTPError.badRequest("Unknown parameter \(unknown.name.prefix(40)); one lead accepts account_id.", code: .invalidParameter)
        }
        var sql = "SELECT \(LeadsQuery.selectList(database.dialect)) FROM kommo_leads WHERE kommo_id = ?"
        var parameters: [SQLValue] = [.integer(kommoID)]
        if let text = request.query["account_id"] {
            guard let account = Int64(text) else {
                throw HTTPError.badRequest("account_id must be a whole number, got \"\(text.prefix(40))\".", code: .invalidParameter)
            }
            sql += " AND account_id = ?"
            parameters.append(.integer(account))
        }
        let rows = try database.query(sql + " LIMIT 2", parameters)
        guard let row = rows.first else { throw HTTPError.notFound("No lead with kommo_id \(kommoID).") }
        guard rows.count == 1 else {
            throw HTTPError(.conflict, code: .accountAmbiguous, message: "Several accounts have a lead \(kommoID); add ?account_id=.")
        }
        return .json(["success": true, "lead": lead(row)])
    }

    /// A row as the Kommo guide's frontend reads it: `is_deleted` a boolean, `raw_data` JSON.
    static func lead(_ row: Row) -> JSONValue {
        var object = JSONObject()
        for (name, value) in zip(LeadsQuery.columns, row.values) {
            switch value {
            case .null: object[name] = .null
            case .integer(let number) where name == "is_deleted": object[name] = .bool(number != 0)
            case .integer(let number): object[name] = JSONValue(number)
            case .real(let number): object[name] = number.isFinite ? .number(String(number)) : .null
            case .text(let text) where name == "raw_data": object[name] = (try? JSONValue(parsing: text)) ?? .string(text)
            case .text(let text): object[name] = .string(text)
            case .blob: object[name] = .null
            }
        }
        return .object(object)
    }
}
