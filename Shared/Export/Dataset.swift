import LeadwireStore

/// One exportable dataset: where its rows come from, its columns, and which of seed 004's
/// filters apply to it. A filter a dataset does not have is refused with 400, never ignored.
/// Built for the store's SQL dialect, since JSON is read differently on each backend.
struct Dataset {
    enum Kind { case integer, real, text, boolean, json }

    struct Column {
        let name: String
        let sql: String
        let kind: Kind

        /// JSON columns are checked by the store, so a hand-edited row can never break the
        /// output: SQLite quotes text that is not JSON; PostgreSQL's `jsonb` is always JSON.
        init(_ name: String, _ kind: Kind = .text, sql: String? = nil, dialect: SQLDialect = .sqlite) {
            self.name = name
            self.kind = kind
            switch (kind, dialect) {
            case (.json, .sqlite): self.sql = sql ?? "CASE WHEN json_valid(\(name)) THEN \(name) ELSE json_quote(\(name)) END"
            case (.json, .postgres): self.sql = "(\(sql ?? name))::text"
            default: self.sql = sql ?? name
            }
        }
    }

    let name: String
    let from: String
    let columns: [Column]
    let created: String?
    let updated: String?
    /// `status=`, `pipeline=`, `source=` and the expression each compares with.
    let equalityFilters: [String: String]
    let searchColumns: [String]
    /// The JSON column holding Kommo-style `tags` and `custom_fields`, for `hasTag` and
    /// `customField[...]` (a lead's tags, when its source sent any).
    let crmFields: String?
    let consent: String?
    let defaultOrder: String
    /// Whether its rows are people with consents per channel (`optedIn=whatsapp`).
    var hasConsents = false

    func column(_ name: String) -> Column? { columns.first { $0.name == name } }
}

extension Dataset {
    static func all(in dialect: SQLDialect) -> [String: Dataset] {
        let people = leads(dialect)
        var datasets = Dictionary(uniqueKeysWithValues: [kommoLeads(dialect), people, sales, webhookLogs(dialect)].map { ($0.name, $0) })
        // Seed 004 exported "users"; its URLs keep working for the people dataset.
        datasets["users"] = people
        return datasets
    }

    /// A lead's tag names, as a JSON array.
    private static func tagNames(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            "(SELECT json_group_array(json_extract(tag.value, '$.name')) FROM json_each(kommo_leads.raw_data, '$.tags') AS tag)"
        case .postgres:
            "(SELECT coalesce(jsonb_agg(tag.value -> 'name'), '[]') FROM \(dialect.jsonArrayElements("kommo_leads.raw_data", path: ["tags"], as: "tag")))"
        }
    }

    static func kommoLeads(_ dialect: SQLDialect) -> Dataset { Dataset(
        name: "kommo-leads", from: "kommo_leads",
        columns: [
            Column("id"), Column("kommo_id", .integer), Column("account_id", .integer), Column("account_subdomain"), Column("name"),
            Column("status_id", .integer), Column("pipeline_id", .integer), Column("responsible_user_id", .integer),
            Column("price", .real), Column("event_type"), Column("is_deleted", .boolean), Column("crm_updated_at", .integer),
            Column("created_at"), Column("updated_at"),
            Column("tags", .json, sql: tagNames(dialect), dialect: dialect),
            Column("raw_data", .json, dialect: dialect),
        ],
        created: "created_at", updated: "updated_at",
        equalityFilters: ["status": "status_id", "pipeline": "pipeline_id", "source": "account_subdomain"],
        searchColumns: ["name"], crmFields: "raw_data", consent: nil,
        // Arrival order: SQLite's rowid; PostgreSQL has none, so creation time, then id.
        defaultOrder: dialect == .sqlite ? "rowid" : "kommo_leads.created_at, kommo_leads.id")
    }

    static func leads(_ dialect: SQLDialect) -> Dataset { Dataset(
        name: "leads",
        from: "leads_master LEFT JOIN sources ON sources.id = leads_master.source_id",
        columns: [
            Column("id", .integer, sql: "leads_master.id"), Column("full_name"),
            Column("first_name", sql: firstName(dialect)), Column("last_name", sql: lastName(dialect)), Column("phone_number_normalized"),
            Column("source", sql: "sources.display_name"), Column("source_type", sql: "sources.source_type"),
            Column("external_lead_id"), Column("status"), Column("is_qualified", .boolean), Column("total_attempts", .integer),
            Column("export_consent_given", .boolean), Column("export_consent_at"),
            Column("created_at", sql: "leads_master.created_at"), Column("updated_at", sql: "leads_master.updated_at"),
            Column("raw_payload", .json, dialect: dialect),
        ],
        created: "leads_master.created_at", updated: "leads_master.updated_at",
        equalityFilters: ["status": "leads_master.status", "source": "sources.display_name"],
        searchColumns: ["full_name", "phone_number_normalized", "external_lead_id"], crmFields: "raw_payload", consent: "export_consent_given",
        defaultOrder: "leads_master.id", hasConsents: true)
    }

    /// The original export guide has first and last names; `leads_master` has one full name: its first word,
    /// and the rest.
    private static func firstName(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: "CASE WHEN instr(full_name, ' ') > 0 THEN substr(full_name, 1, instr(full_name, ' ') - 1) ELSE full_name END"
        case .postgres: "CASE WHEN strpos(full_name, ' ') > 0 THEN substr(full_name, 1, strpos(full_name, ' ') - 1) ELSE full_name END"
        }
    }

    private static func lastName(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: "CASE WHEN instr(full_name, ' ') > 0 THEN substr(full_name, instr(full_name, ' ') + 1) END"
        case .postgres: "CASE WHEN strpos(full_name, ' ') > 0 THEN substr(full_name, strpos(full_name, ' ') + 1) END"
        }
    }

    static let sales = Dataset(
        name: "sales",
        from: """
            (SELECT 'traffic' AS route, account_id, lead_id, lead_name, pipeline_id, status_id, amount, targetologist,
                NULL AS referral_code, utm_source, utm_medium, utm_campaign, utm_content, utm_term, routing_decision, sold_at, created_at
             FROM all_sales_tracking
             UNION ALL
             SELECT 'referral', account_id, lead_id, lead_name, pipeline_id, status_id, amount, NULL, referral_code,
                utm_source, utm_medium, utm_campaign, utm_content, utm_term, routing_decision, sold_at, created_at
             FROM referral_sales) AS sales
            """,
        columns: [
            Column("route"), Column("account_id", .integer), Column("lead_id", .integer), Column("lead_name"),
            Column("pipeline_id", .integer), Column("status_id", .integer), Column("amount", .real), Column("targetologist"),
            Column("referral_code"), Column("utm_source"), Column("utm_medium"), Column("utm_campaign"), Column("utm_content"),
            Column("utm_term"), Column("routing_decision"), Column("sold_at"), Column("created_at"),
        ],
        created: "created_at", updated: nil,
        equalityFilters: ["status": "status_id", "pipeline": "pipeline_id", "source": "route"],
        searchColumns: ["lead_name", "utm_source", "targetologist", "referral_code"], crmFields: nil, consent: nil,
        defaultOrder: "created_at, route, lead_id")

    static func webhookLogs(_ dialect: SQLDialect) -> Dataset { Dataset(
        name: "webhook-logs", from: "inbound_logs",
        columns: [
            Column("seq", .integer, sql: "log_seq"), Column("id", sql: "log_id"), Column("source"), Column("received_at"),
            Column("event_type"), Column("status"), Column("routing_decision"), Column("pipeline_id", .integer),
            Column("lead_id", .integer), Column("utm_source"), Column("utm_campaign"), Column("error_message"), Column("payload", .json, dialect: dialect),
        ],
        created: "received_at", updated: nil,
        equalityFilters: ["status": "status", "pipeline": "pipeline_id", "source": "source"],
        searchColumns: [dialect == .sqlite ? "payload" : "payload::text", "error_message"], crmFields: nil, consent: nil,
        defaultOrder: "log_seq")
    }
}
