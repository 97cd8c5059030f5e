import FunctionKit
import LeadwireStore

/// Where a person's data lies in the store: the rows keyed to their lead, and every row whose
/// stored text holds their phone (its last digits, as stored) or one of their email addresses:
/// Kommo leads and their raw webhooks, amoCRM deals, calls, outbound messages, export filters.
/// A phone written with spaces or dashes inside it is not found; README says so.
struct Footprint {
    /// A column and how its text is read for the search on each backend.
    struct Column {
        enum Kind { case text, json, bytes }
        let name: String
        let kind: Kind

        init(_ name: String, _ kind: Kind = .text) {
            self.name = name
            self.kind = kind
        }

        func text(_ dialect: SQLDialect) -> String {
            switch (kind, dialect) {
            case (.text, _), (_, .sqlite): "lower(coalesce(CAST(\(name) AS TEXT), ''))"
            case (.json, .postgres): "lower(coalesce(\(name)::text, ''))"
            case (.bytes, .postgres): "lower(coalesce(encode(\(name), 'escape'), ''))"
            }
        }
    }

    /// What erasure does with a table's rows: remove them, or keep them with the columns that
    /// hold personal data replaced (a sale's amount stays in the books; a log row stays, its body
    /// does not).
    enum Erasure {
        case delete
        case replace([(column: String, with: String)])
    }

    /// One table's part of the footprint.
    struct Table {
        let name: String
        /// What the person's record shows of each row.
        let shown: [Column]
        /// Rows keyed to the person's lead id.
        let leadColumn: String?
        /// Columns whose text is searched for the phone and emails.
        let searched: [Column]
        /// Extra condition, SQL with `?` for the lead id (amoCRM sales, by their logged deal).
        let extra: String?
        let erasure: Erasure
    }

    let leadID: Int64
    /// Lower-cased: the phone as stored, and the emails given.
    let needles: [String]
    let dialect: SQLDialect

    init(leadID: Int64, phone: String, emails: [String], dialect: SQLDialect) {
        self.leadID = leadID
        needles = ([phone] + emails).map { $0.lowercased() }.filter { !$0.isEmpty }
        self.dialect = dialect
    }

    /// The tables in the order erasure must take them: rows that point at others first, the
    /// logs that identify amoCRM sales before those logs are redacted, the lead last.
    var tables: [Table] {
        let redacted = "'{\"redacted\":\"erased\"}'"
        let amoCRMDeals = "lead_id IN (SELECT lead_id FROM webhook_logs WHERE source = 'amocrm' AND lead_id IS NOT NULL AND (\(matches([Column("deal_data", .json)]))))"
        let sales = { (name: String) in
            Table(
                name: name, shown: ["id", "account_id", "lead_id", "lead_name", "amount", "routing_decision", "sold_at"].map { Column($0) }, leadColumn: nil,
                searched: [Column("lead_name")], extra: amoCRMDeals, erasure: .replace([("lead_name", "NULL")]))
        }
        return [
            Table(
                name: "consents", shown: ["id", "channel", "granted", "source", "recorded_by", "recorded_at"].map { Column($0) }, leadColumn: "lead_id",
                searched: [], extra: nil, erasure: .delete),
            Table(
                name: "lead_sources_history", shown: ["id", "source_id", "external_id", "received_at"].map { Column($0) }, leadColumn: "lead_id",
                searched: [], extra: nil, erasure: .delete),
            Table(
                name: "knowlarity_calls",
                shown: ["call_uuid", "customer_number", "agent_number", "start_time", "end_time", "call_duration_seconds", "recording_url", "call_status"]
                    .map { Column($0) },
                leadColumn: "lead_id", searched: [Column("customer_number"), Column("phone_number_normalized"), Column("raw_payload", .json)], extra: nil,
                erasure: .delete),
            Table(
                name: "kommo_leads", shown: ["kommo_id", "account_id", "name", "status_id", "pipeline_id", "updated_at"].map { Column($0) }, leadColumn: nil,
                searched: [Column("name"), Column("raw_data", .json)], extra: nil, erasure: .delete),
            sales("all_sales_tracking"), sales("referral_sales"),
            Table(
                name: "webhook_logs", shown: ["id", "source", "received_at", "lead_id"].map { Column($0) }, leadColumn: nil,
                searched: [Column("deal_data", .json), Column("error_message")], extra: nil,
                erasure: .replace([("deal_data", redacted), ("error_message", "NULL")])),
            Table(
                name: "kommo_webhook_logs", shown: ["id", "event_type", "created_at"].map { Column($0) }, leadColumn: nil,
                searched: [Column("payload", .json), Column("results", .json), Column("raw_body", .bytes), Column("error_message")], extra: nil,
                erasure: .replace([("payload", redacted), ("results", "NULL"), ("raw_body", "NULL"), ("error_message", "NULL")])),
            Table(
                name: "webhook_deliveries", shown: ["id", "event_type", "created_at"].map { Column($0) }, leadColumn: nil,
                searched: [Column("response_excerpt"), Column("error")], extra: nil,
                erasure: .replace([("response_excerpt", "NULL"), ("error", "NULL")])),
            Table(
                name: "outbox", shown: ["id", "topic", "status", "created_at"].map { Column($0) }, leadColumn: nil,
                searched: [Column("payload"), Column("last_error")], extra: nil, erasure: .delete),
            Table(
                name: "data_exports", shown: ["id", "key_name", "dataset", "started_at"].map { Column($0) }, leadColumn: nil,
                searched: [Column("filters", .json)], extra: nil, erasure: .replace([("filters", redacted)])),
            Table(
                name: "leads_master", shown: ["id", "full_name", "phone_number_normalized", "status", "created_at"].map { Column($0) }, leadColumn: "id",
                searched: [], extra: nil, erasure: .delete),
        ]
    }

    /// `(col1 holds needle1 OR col1 holds needle2 OR …)`, with the needles bound in `parameters(for:)`.
    private func matches(_ columns: [Column]) -> String {
        let tests = columns.flatMap { column in needles.map { _ in dialect.contains(column.text(dialect), "?") } }
        return tests.isEmpty ? "FALSE" : tests.joined(separator: " OR ")
    }

    /// The condition that picks a table's rows about the person, and its parameters in order.
    func condition(_ table: Table) -> (sql: String, parameters: [SQLValue]) {
        var parts: [String] = []
        var parameters: [SQLValue] = []
        if let lead = table.leadColumn {
            parts.append("\(lead) = ?")
            parameters.append(.integer(leadID))
        }
        if !table.searched.isEmpty, !needles.isEmpty {
            parts.append(matches(table.searched))
            parameters += table.searched.flatMap { _ in needles.map(SQLValue.text) }
        }
        if let extra = table.extra, !needles.isEmpty {
            parts.append(extra)
            parameters += needles.map(SQLValue.text)
        }
        return (parts.isEmpty ? "FALSE" : parts.map { "(\($0))" }.joined(separator: " OR "), parameters)
    }

    /// Every row about the person, per table, with the columns the record shows.
    func rows(in database: Database) throws -> JSONObject {
        var found = JSONObject()
        for table in tables {
            let (condition, parameters) = condition(table)
            let rows = try database.query("SELECT \(table.shown.map(\.name).joined(separator: ", ")) FROM \(table.name) WHERE \(condition)", parameters)
            guard !rows.isEmpty else { continue }
            found[table.name] = .array(
                rows.map { row in
                    .object(JSONObject(zip(table.shown, row.values).map { column, value in (key: column.name, value: Self.json(value)) }))
                })
        }
        return found
    }

    static func json(_ value: SQLValue) -> JSONValue {
        switch value {
        case .null: .null
        case .integer(let number): JSONValue(number)
        case .real(let number): .number(String(number))
        case .text(let text): .string(text)
        case .blob(let bytes): .string(Base64.encode(bytes))
        }
    }
}
