import Admin
import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// `GET /api/admin/users` (seed 004's users listing): the people of `leads_master`, a page at a
/// time, with every filter and sort of the `users` export. Pages go by `offset`, or by `cursor`
/// (the last row's id, in the default order only: a cursor stays correct while rows arrive).
/// Answers `{"success":true,"users":[...],"pagination":{"total","limit","offset","hasMore","nextCursor","next"}}`:
/// `next` is the next page's query (the filters as understood, then the cursor, or the offset
/// when sorted otherwise), relative to the listing's address.
enum UsersAPI {
    static let path = "/api/admin/users"
    static let defaultLimit = 50
    static let maxLimit = 1000

    static func list(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .get)
        guard request.path == path else { throw HTTPError.notFound("No such users resource; the listing is \(path).") }
        let database = try context.openStore()
        _ = try request.requireAdminKey(.export, in: database)

        var limit = defaultLimit
        var offset = 0
        var cursor: Int64?
        var filters: [(name: String, value: String)] = []
        for (name, value) in request.query.pairs {
            switch name {
            case "limit":
                guard let number = Int(value), (1...maxLimit).contains(number) else {
                    throw HTTPError.badRequest("limit must be a whole number from 1 to \(maxLimit), got \"\(value.prefix(40))\".", code: .invalidParameter)
                }
                limit = number
            case "offset":
                guard let number = Int(value), number >= 0 else {
                    throw HTTPError.badRequest("offset must be a whole number from 0, got \"\(value.prefix(40))\".", code: .invalidParameter)
                }
                offset = number
            case "cursor":
                guard let number = Int64(value), number > 0 else {
                    throw HTTPError.badRequest("cursor must be a nextCursor from a previous page.", code: .invalidParameter)
                }
                cursor = number
            default:
                filters.append((name, value))
            }
        }
        let query = try ExportQuery(dataset: "users", format: "json", query: QueryParameters(filters), dialect: database.dialect)
        if cursor != nil, !query.isInDefaultOrder {
            throw HTTPError.badRequest("cursor pages follow the default order; with sortBy, page with offset.", code: .invalidParameter)
        }

        let total = try database.queryRow(query.countSQL, query.parameters)?[0].integer ?? 0
        let page = query.pageSQL(after: cursor, limit: limit, offset: offset)
        let encoder = RowEncoder(format: .json, columns: query.columns)
        var users: [UInt8] = []
        encoder.header(into: &users)
        var rows = 0
        var lastKey: Int64?
        // The page query asks for one row more than the page: its presence is `hasMore`.
        let seen = try database.forEachRow(page.sql, page.parameters) { row in
            guard rows < limit else { return }
            encoder.row(row, index: rows, into: &users)
            lastKey = row.integer(query.columns.count)
            rows += 1
        }
        encoder.footer(rows: rows, into: &users)
        let hasMore = seen > limit
        let nextCursor = hasMore && query.isInDefaultOrder ? lastKey : nil
        let nextPosition = nextCursor.map { [("cursor", String($0))] } ?? [("offset", String(offset + limit))]
        let pagination: JSONValue = [
            "total": JSONValue(total), "limit": JSONValue(Int64(limit)), "offset": JSONValue(Int64(offset)), "hasMore": .bool(hasMore),
            "nextCursor": JSONValue(nextCursor.map(String.init)),
            "next": hasMore ? .string("?" + URLEncoding.query(query.understood + [("limit", String(limit))] + nextPosition)) : .null,
        ]
        var body = Array(#"{"success":true,"users":"#.utf8)
        body += users.last == 0x0A ? users.dropLast() : users[...]
        body += Array(#","pagination":"#.utf8) + Array(pagination.jsonText.utf8) + [UInt8(ascii: "}")]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(headers: headers, body: body)
    }
}
