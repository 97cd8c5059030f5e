/// Every function Leadwire ships. Paths come from the seed documents, so CRM settings that
/// point at the old endpoints keep working.
public enum Catalog {
    public static let functions: [FunctionDescription] = [
        FunctionDescription(
            name: "kommo-webhook",
            summary: "Kommo lead events (add, update, status, responsible, delete, restore) into kommo_leads",
            routes: [Route("/kommo-webhook"), Route("/functions/v1/kommo-webhook")],
            methods: ["POST"],
            authentication: .optionalWebhookToken(environmentVariable: "LEADWIRE_KOMMO_WEBHOOK_TOKEN"),
            logSource: "kommo"),
        FunctionDescription(
            name: "amocrm-webhook",
            summary: "amoCRM won deals: UTM extraction, routing to referral / traffic / both / unknown, sales tables",
            routes: [Route("/webhook/amocrm")],
            methods: ["POST", "GET /webhook/amocrm/test"],
            authentication: .optionalWebhookToken(environmentVariable: "LEADWIRE_AMOCRM_WEBHOOK_TOKEN"),
            logSource: "amocrm"),
        FunctionDescription(
            name: "knowlarity-webhook",
            summary: "Knowlarity calls into knowlarity_calls and leads_master, de-duplicated by phone",
            routes: [Route("/webhooks/knowlarity")],
            methods: ["POST", "GET"],
            authentication: .optionalWebhookToken(environmentVariable: "LEADWIRE_KNOWLARITY_WEBHOOK_TOKEN"),
            logSource: "knowlarity"),
        FunctionDescription(
            name: "admin-webhook-logs",
            summary: "Every inbound log, filtered and paged; one log; replay; an HTML viewer",
            routes: [Route("/api/admin/webhook-logs")],
            methods: ["GET", "POST /{id}/replay"],
            authentication: .adminKey),
        FunctionDescription(
            name: "export",
            summary: "Datasets as CSV, JSON or NDJSON, streamed, every export audited; the users listing, paged",
            routes: [Route("/api/admin/export"), Route("/api/admin/users")],
            methods: ["GET /<dataset>/<csv|json|ndjson>", "GET /api/admin/users"],
            authentication: .adminKey),
        FunctionDescription(
            name: "webhook-subscriptions",
            summary: "Outbound webhook subscriptions: create, list, change, delete, test, rotate the secret, retry a delivery",
            routes: [Route("/api/admin/webhooks")],
            methods: ["GET", "POST", "PATCH /{id}", "DELETE /{id}", "POST /{id}/test", "POST /{id}/rotate-secret", "POST /{id}/deliveries/{delivery}/retry"],
            authentication: .adminKey),
        FunctionDescription(
            name: "kommo-oauth",
            summary: "Kommo OAuth: connect accounts, tokens sealed and refreshed one process at a time, the /api/v4 proxy, the disabled hook",
            routes: [Route("/kommo-oauth"), Route("/functions/v1/kommo-oauth")],
            methods: ["GET ?action=authorize|callback|status|disabled", "POST ?action=api-request|refresh|disconnect"],
            authentication: .adminKey),
        FunctionDescription(
            name: "widget-request",
            summary: "Kommo Salesbot widget step: the signed token checked, the request queued, the reply sent to return_url by the worker",
            routes: [Route("/widget-request"), Route("/api/kommo/kommo/widget-request")],
            methods: ["POST"],
            authentication: .signed("a token in the body, signed with LEADWIRE_KOMMO_CLIENT_SECRET (HS256 or HS512)")),
        FunctionDescription(
            name: "health",
            summary: "200 with the version and schema version when the store answers, 503 when it does not",
            routes: [Route("/health")],
            methods: ["GET", "HEAD"],
            authentication: .none),
    ]

    public static func function(named name: String) -> FunctionDescription? {
        functions.first { $0.name == name }
    }

    /// The inbound function whose log rows carry `source`.
    public static func function(loggingAs source: String) -> FunctionDescription? {
        functions.first { $0.logSource == source }
    }

    /// The function serving `path`, with the split a CGI host makes. The longest matching route
    /// wins, so a more specific path can never be shadowed by a shorter one.
    public static func route(_ path: String) -> RouteMatch? {
        var best: RouteMatch?
        for function in functions {
            for route in function.routes {
                guard let pathInfo = route.pathInfo(for: path) else { continue }
                if route.path.count > best?.scriptName.count ?? -1 {
                    best = RouteMatch(function: function, scriptName: route.path, pathInfo: pathInfo)
                }
            }
        }
        return best
    }
}

public struct RouteMatch: Sendable {
    public let function: FunctionDescription
    public let scriptName: String
    public let pathInfo: String
}
