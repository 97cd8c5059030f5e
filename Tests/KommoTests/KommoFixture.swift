import FunctionKit
import HTTPTypes
import Kommo
import LeadwireStore
import TestSupport

/// kommo-webhook's handler on a fresh database, with lookups for its two tables.
struct KommoFixture {
    var handler: HandlerFixture

    init(token: String? = nil) {
        handler = HandlerFixture(
            path: "/kommo-webhook", settings: token.map { ["LEADWIRE_KOMMO_WEBHOOK_TOKEN": $0] } ?? TestSettings.openIntake, handler: KommoWebhook.handle)
    }

    var environment: [String: String] {
        get { handler.environment }
        set { handler.environment = newValue }
    }

    @discardableResult
    func post(
        _ body: String, contentType: String? = "application/x-www-form-urlencoded", query: String = "",
        headers: [(String, String)] = [], bodyLimitExceeded: BodyLimitExceeded? = nil, method: HTTPRequest.Method = .post
    ) -> Response {
        handler.send(body, contentType: contentType, method: method, query: query, headers: headers, bodyLimitExceeded: bodyLimitExceeded)
    }

    func database() throws -> Database { try handler.database() }
    func count(_ sql: String) throws -> Int64 { try handler.count(sql) }

    /// One lead's columns by name.
    func lead(_ kommoID: Int64, account: Int64 = 0) throws -> [String: SQLValue]? {
        try handler.rows(
            """
            SELECT name, status_id, pipeline_id, responsible_user_id, price, event_type, is_deleted, raw_data, crm_updated_at,
                account_subdomain FROM kommo_leads WHERE kommo_id = ? AND account_id = ?
            """, [.integer(kommoID), .integer(account)]
        ).first
    }

    func lastLog() throws -> [String: SQLValue] {
        var log = try handler.rows(
            """
            SELECT event_type, payload, results, status, error_message, raw_body, content_type, account_id FROM kommo_webhook_logs
            ORDER BY log_seq DESC LIMIT 1
            """
        )[0]
        if let text = log["raw_body"]?.bodyText { log["raw_body"] = .text(text) }
        return log
    }
}

/// A Kommo form body for one lead event, brackets percent-encoded as Kommo sends them.
func kommoForm(
    _ action: String, _ fields: KeyValuePairs<String, String>, index: Int = 0, account: (id: Int, subdomain: String)? = (29085730, "acme")
) -> String {
    var pairs = fields.map { ("leads[\(action)][\(index)][\($0.key)]", $0.value) }
    if let account { pairs += [("account[id]", String(account.id)), ("account[subdomain]", account.subdomain)] }
    return formBody(pairs)
}
