public import FunctionKit
public import LeadwireStore

/// A lead as amoCRM's API v4 lists it (`GET /api/v4/leads`: `id`, `name`, `price`, `status_id`,
/// `pipeline_id`, `updated_at`, `custom_fields_values: [{field_id, field_name, field_code,
/// values: [{value}]}]`), for the polling backup and the reconciliation.
public struct APILead: Sendable {
    public let json: JSONValue
    public let id: Int64
    public let name: String?
    public let price: Double?
    let statusID: Int64?
    let pipelineID: Int64?

    public init?(_ json: JSONValue) {
        guard let id = json["id"]?.int64 else { return nil }
        self.json = json
        self.id = id
        name = json["name"]?.text
        price = json["price"]?.double
        statusID = json["status_id"]?.int64
        pipelineID = json["pipeline_id"]?.int64
    }

    /// Whether it is a sale under amocrm-webhook's rule (its won statuses and pipelines).
    public func isSale(_ rule: SaleRule) -> Bool {
        rule.settings.isSale(pipelineID: pipelineID, statusID: statusID)
    }

    /// The body amoCRM's status-change hook would have sent for it, so it goes through the
    /// hook's own processing: `{"leads": {"status": [{…, "custom_fields": [{id, name, code,
    /// values}]}]}, "account": {"id", "subdomain"}}`.
    public func webhookBody(accountID: Int64, subdomain: String) -> JSONValue {
        let fields: [JSONValue] = (json["custom_fields_values"]?.elements ?? []).map { field in
            .object(
                JSONObject([
                    ("id", field["field_id"] ?? .null), ("name", field["field_name"] ?? .null), ("code", field["field_code"] ?? .null),
                    ("values", field["values"] ?? .array([])),
                ]))
        }
        var lead = JSONObject()
        for key in ["id", "name", "price", "status_id", "pipeline_id", "responsible_user_id", "updated_at", "created_at"] {
            if let value = json[key], value != .null { lead[key] = value }
        }
        lead["custom_fields"] = .array(fields)
        return .object(
            JSONObject([
                ("leads", .object(JSONObject([("status", .array([.object(lead)]))]))),
                ("account", .object(JSONObject([("id", JSONValue(accountID)), ("subdomain", .string(subdomain))]))),
            ]))
    }

    /// Whether the store has this deal: recorded as a sale (traffic or referral), or, unless
    /// `salesOnly`, logged with its route (a sale routed to nobody is kept in the log for review).
    public static func isRecorded(_ leadID: Int64, accountID: Int64, salesOnly: Bool = false, in database: Database) throws -> Bool {
        let routedLogs = "UNION ALL SELECT 1 FROM webhook_logs WHERE source = 'amocrm' AND lead_id = ?2 AND routing_decision IS NOT NULL"
        return try database.queryRow(
            """
            SELECT 1 FROM all_sales_tracking WHERE account_id = ?1 AND lead_id = ?2
            UNION ALL SELECT 1 FROM referral_sales WHERE account_id = ?1 AND lead_id = ?2
            \(salesOnly ? "" : routedLogs)
            """, [.integer(accountID), .integer(leadID)]) != nil
    }
}

/// amocrm-webhook's rule for a sale (LEADWIRE_AMOCRM_WON_STATUS_IDS and _PIPELINE_IDS), read
/// once for a whole pass over the API's leads.
public struct SaleRule: Sendable {
    let settings: AmoCRMSettings

    public init(_ environment: Environment) throws(ConfigurationError) {
        settings = try AmoCRMSettings(environment)
    }
}
