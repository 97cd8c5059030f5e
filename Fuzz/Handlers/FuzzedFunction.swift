import AmoCRM
import Export
import FunctionKit
import Health
import HTTPTypes
import Knowlarity
import Kommo
import KommoOAuth
import KommoWidget
import Dashboard
import Leads
import Metrics
import WebhookLogs
import WebhookSubscriptions

/// One function as the fuzzer drives it: its real handler, the request an input stands for when
/// it names none, and where a stored request's log row goes.
struct FuzzedFunction: Sendable {
    let name: String
    let handler: Handler
    let path: String
    var defaultMethod: HTTPRequest.Method = .post
    /// Admin functions get the harness's admin key (every scope) unless the input sends its own
    /// `Authorization`, so the fuzzer reaches what lies behind the key.
    var usesAdminKey = false
    /// For an inbound webhook: the table its log rows go to (`kommo_webhook_logs` keeps the raw
    /// body in `raw_body`, `webhook_logs` the parsed one in `deal_data`). A 2xx answer must add
    /// a row that keeps the body.
    var logTable: String?
    /// Whether a GET is a delivery too (Knowlarity's GET hooks) rather than a status page.
    var getIsDelivery = false

    /// Whether a 2xx answer to this request must have logged it.
    func mustLog(_ request: Request) -> Bool {
        logTable != nil && (request.method != .get && request.method != .head || getIsDelivery)
    }

    static let all: [FuzzedFunction] = [
        FuzzedFunction(name: KommoWebhook.name, handler: KommoWebhook.handle, path: "/kommo-webhook", logTable: "kommo_webhook_logs"),
        FuzzedFunction(name: AmoCRMWebhook.name, handler: AmoCRMWebhook.handle, path: "/webhook/amocrm", logTable: "webhook_logs"),
        FuzzedFunction(name: KnowlarityWebhook.name, handler: KnowlarityWebhook.handle, path: "/webhooks/knowlarity", logTable: "webhook_logs",
            getIsDelivery: true),
        FuzzedFunction(name: WidgetRequestAPI.name, handler: WidgetRequestAPI.handle, path: "/widget-request", logTable: "webhook_logs"),
        FuzzedFunction(name: KommoOAuthAPI.name, handler: KommoOAuthAPI.handle, path: "/kommo-oauth", defaultMethod: .get, usesAdminKey: true),
        FuzzedFunction(name: WebhookLogsAPI.name, handler: WebhookLogsAPI.handle, path: "/api/admin/webhook-logs", defaultMethod: .get, usesAdminKey: true),
        FuzzedFunction(name: ExportAPI.name, handler: ExportAPI.handle, path: "/api/admin/export/kommo_leads/csv", defaultMethod: .get, usesAdminKey: true),
        FuzzedFunction(name: DashboardAPI.name, handler: DashboardAPI.handle, path: "/api/admin/stats", defaultMethod: .get, usesAdminKey: true),
        FuzzedFunction(name: MetricsAPI.name, handler: MetricsAPI.handle, path: "/metrics", defaultMethod: .get, usesAdminKey: true),
        FuzzedFunction(name: LeadsAPI.name, handler: LeadsAPI.handle, path: "/api/leads", defaultMethod: .get, usesAdminKey: true),
        FuzzedFunction(
            name: WebhookSubscriptionsAPI.name, handler: WebhookSubscriptionsAPI.handle, path: "/api/admin/webhooks", defaultMethod: .get,
            usesAdminKey: true),
        FuzzedFunction(name: HealthCheck.name, handler: HealthCheck.handle, path: "/health", defaultMethod: .get),
    ]

    static func named(_ name: String) -> FuzzedFunction? { all.first { $0.name == name } }
}
