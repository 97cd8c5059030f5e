import FunctionKit
import LeadwireStore
import People

/// An export request read from its path and query string: the dataset, the format, and the
/// filters, fields and order of seed 004. Values are bound; names are checked against the
/// dataset, so nothing from the URL is spliced into SQL.
struct ExportQuery {
    enum Format: String, CaseIterable { case csv, json, ndjson }

    let dataset: Dataset
    let dialect: SQLDialect
    let format: Format
    let columns: [Dataset.Column]
    private(set) var conditions: [String] = []
    private(set) var parameters: [SQLValue] = []
    let order: String
    /// `limit=N`: at most N rows (seed 004's `export/users/csv?...&limit=10`).
    private(set) var limit: Int?
    /// The filters as given, for the audit.
    let filters: JSONValue
    /// The query as it was understood, each part spelt one way (`sortOrder=DESC` is `desc`,
    /// `sortBy=createdAt` is `created_at`, a time is UTC to the millisecond): read again, it
    /// is the same export.
    private(set) var understood: [(name: String, value: String)] = []

    init(dataset name: String, format formatName: String, query: QueryParameters, dialect: SQLDialect) throws(HTTPError) {
        let datasets = Dataset.all(in: dialect)
        guard let dataset = datasets[name] else {
            throw .notFound("No dataset \(name); there are \(datasets.keys.sorted().joined(separator: ", ")).")
        }
        self.dialect = dialect
        guard let format = Format(rawValue: formatName) else {
            throw .notFound("No format \(formatName); use \(Format.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self.dataset = dataset
        self.format = format
        filters = .object(JSONObject(query.pairs.map { (key: $0.name, value: .string($0.value)) }))

        if let list = query["fields"], !list.isEmpty {
            var columns: [Dataset.Column] = []
            for name in list.split(separator: ",").map({ String($0.trimmingSpaces) }) {
                guard let column = dataset.column(name) else {
                    throw .badRequest("\(dataset.name) has no field \(name); it has \(dataset.columns.map(\.name).joined(separator: ", ")).")
                }
                columns.append(column)
            }
            self.columns = columns
            understood.append(("fields", columns.map(\.name).joined(separator: ",")))
        } else {
            columns = dataset.columns
        }

        var order = dataset.defaultOrder
        let direction: String
        switch query["sortOrder"]?.lowercased() ?? "asc" {
        case "asc": direction = "ASC"
        case "desc": direction = "DESC"
        case let other: throw .badRequest("sortOrder must be asc or desc, got \"\(other.prefix(60))\".")
        }
        if query["sortOrder"] != nil { understood.append(("sortOrder", direction.lowercased())) }
        if let sortBy = query["sortBy"] {
            // Seed 004 spelled fields in camelCase (createdAt); the tables use snake_case.
            let snake = sortBy.reduce(into: "") { text, character in
                text += character.isUppercase ? "_" + character.lowercased() : String(character)
            }
            guard let column = dataset.column(sortBy) ?? dataset.column(snake), column.kind != .json else {
                throw .badRequest("sortBy must be one of \(dataset.name)'s fields, got \"\(sortBy)\".")
            }
            order = "\(column.sql) \(direction), \(dataset.defaultOrder)"
            understood.append(("sortBy", column.name))
        }
        self.order = order

        for (name, value) in query.pairs {
            if let spelling = try addFilter(name, value) { understood.append((name, spelling)) }
        }
    }

    /// Adds one filter; returns its value as understood (nil for the parts read before).
    private mutating func addFilter(_ name: String, _ value: String) throws(HTTPError) -> String? {
        func require(_ expression: String?) throws(HTTPError) -> String {
            guard let expression else { throw .badRequest("\(dataset.name) cannot be filtered by \(name).") }
            return expression
        }
        switch name {
        case "fields", "sortBy", "sortOrder":
            return nil
        case "createdAfter", "createdBefore", "updatedAfter":
            let column = try require(name == "updatedAfter" ? dataset.updated : dataset.created)
            let instant = try QueryParameters.instant(value, parameter: name)
            add("\(column) \(name == "createdBefore" ? "<" : ">=") ?", .text(instant))
            return instant
        case "limit":
            guard let limit = Int(value), limit > 0 else { throw .badRequest("limit must be a positive whole number, got \"\(value)\".") }
            self.limit = limit
            return String(limit)
        case "includeBookings", "includeQRCodes", "includeInteractions", "includeConversations":
            // Seed 004's related data; Leadwire has none of it, and saying so beats an export
            // that silently lacks what was asked for.
            guard value == "false" else {
                throw .badRequest("\(name): Leadwire keeps no bookings, QR codes, interactions or conversations; drop the parameter.")
            }
        case "status", "pipeline", "source":
            let expression = try require(dataset.equalityFilters[name])
            add("\(expression) = ?", Int64(value).map(SQLValue.integer) ?? .text(value))
        case "search":
            let columns = dataset.searchColumns
            add("(" + columns.map { dialect.contains("lower(coalesce(\($0), ''))", "lower(?)") }.joined(separator: " OR ") + ")",
                Array(repeating: .text(value), count: columns.count))
        case "hasTag":
            let json = try require(dataset.crmFields)
            add(
                "EXISTS (SELECT 1 FROM \(dialect.jsonArrayElements(json, path: ["tags"], as: "tag")) "
                    + "WHERE lower(\(dialect.jsonText("tag.value", ["name"]))) = lower(?))", [.text(value)])
        case "optedIn":
            guard dataset.hasConsents else { throw .badRequest("\(dataset.name) cannot be filtered by optedIn.") }
            guard Consents.channels.contains(value), value != "export" else {
                throw .badRequest("optedIn must be one of \(Consents.channels.filter { $0 != "export" }.joined(separator: ", ")), got \"\(value.prefix(40))\".")
            }
            // The newest consent recorded for the channel is a grant.
            add(
                """
                (SELECT c.granted FROM consents c WHERE c.lead_id = leads_master.id AND c.channel = ? ORDER BY c.id DESC LIMIT 1) = TRUE
                """, .text(value))
        case "exportConsentOnly":
            guard value == "true" || value == "false" else { throw .badRequest("exportConsentOnly must be true or false.") }
            if value == "true" { add("\(try require(dataset.consent)) = TRUE", []) }
        case _ where name.hasPrefix("customField[") && name.hasSuffix("]"):
            let json = try require(dataset.crmFields)
            let field = String(name.dropFirst("customField[".count).dropLast())
            // A field matches by name or code; its value may be values[0].value or a bare values[0].
            let dialect = dialect
            let element = { (path: [String]) in dialect.jsonText("field.value", path) }
            add(
                """
                EXISTS (SELECT 1 FROM \(dialect.jsonArrayElements(json, path: ["custom_fields"], as: "field"))
                    WHERE (lower(\(element(["name"]))) = lower(?) OR lower(\(element(["code"]))) = lower(?))
                    AND coalesce(\(element(["values", "0", "value"])), \(element(["values", "0"])), \(element(["values", "value"]))) = ?)
                """, [.text(field), .text(field), .text(value)])
        default:
            throw .badRequest("Unknown filter \(name).")
        }
        return value
    }

    private mutating func add(_ condition: String, _ values: [SQLValue]) {
        conditions.append(condition)
        parameters += values
    }

    private mutating func add(_ condition: String, _ value: SQLValue) { add(condition, [value]) }

    var sql: String {
        "SELECT \(columns.map(\.sql).joined(separator: ", ")) FROM \(dataset.from)\(whereClause()) ORDER BY \(order)"
            + (limit.map { " LIMIT \($0)" } ?? "")
    }

    /// Whether the rows come in the dataset's own order (no `sortBy`), which cursor pages follow.
    var isInDefaultOrder: Bool { order == dataset.defaultOrder }

    /// How many rows the filters match.
    var countSQL: String { "SELECT count(*) FROM \(dataset.from)\(whereClause())" }

    /// One page: the columns, then the row's key (`dataset.defaultOrder`, for the next cursor),
    /// after `cursor` in the default order or from `offset`, one row more than `limit` so the
    /// caller can tell whether another page follows.
    func pageSQL(after cursor: Int64?, limit: Int, offset: Int) -> (sql: String, parameters: [SQLValue]) {
        let after = cursor.map { _ in "\(dataset.defaultOrder) > ?" }
        let sql = "SELECT \(columns.map(\.sql).joined(separator: ", ")), \(dataset.defaultOrder) FROM \(dataset.from)"
            + "\(whereClause(adding: after)) ORDER BY \(order) LIMIT \(limit + 1) OFFSET \(offset)"
        return (sql, parameters + (cursor.map { [SQLValue.integer($0)] } ?? []))
    }

    private func whereClause(adding extra: String? = nil) -> String {
        let all = conditions + (extra.map { [$0] } ?? [])
        return all.isEmpty ? "" : " WHERE " + all.joined(separator: " AND ")
    }
}
