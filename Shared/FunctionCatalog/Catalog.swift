/// Every function Leadwire ships. Paths come from the seed documents, so CRM settings that
/// point at the old endpoints keep working.
public enum Catalog {
    public static let functions: [FunctionDescription] = [
        FunctionDescription(
            name: "kommo-webhook",
            summary: "Kommo (and amoCRM) lead events (add, update, status, responsible, delete, restore) into `kommo_leads`, with one `kommo_webhook_logs` row per request",
            routes: [Route("/kommo-webhook"), Route("/functions/v1/kommo-webhook")],
            endpoints: [Endpoint("POST", "/kommo-webhook")],
            authentication: .webhook(.kommoWebhook),
            logSource: "kommo",
            storeBound: true),
        FunctionDescription(
            name: "amocrm-webhook",
            summary: "amoCRM won deals: UTM extraction, routing to referral / traffic / both / unknown, sales tables, a Telegram notice queued for traffic sales",
            routes: [Route("/webhook/amocrm")],
            endpoints: [Endpoint("POST", "/webhook/amocrm"), Endpoint("GET", "/webhook/amocrm/test")],
            authentication: .webhook(.amocrmWebhook),
            logSource: "amocrm",
            settings: amocrmSettings,
            storeBound: true),
        FunctionDescription(
            name: "knowlarity-webhook",
            summary: "Knowlarity calls into `knowlarity_calls`, de-duplicated by phone into `leads_master`, `sources` and `lead_sources_history`",
            routes: [Route("/webhooks/knowlarity")],
            endpoints: [Endpoint("GET", "/webhooks/knowlarity"), Endpoint("POST", "/webhooks/knowlarity")],
            authentication: .webhook(.knowlarityWebhook),
            logSource: "knowlarity",
            settings: knowlaritySettings,
            storeBound: true),
        FunctionDescription(
            name: "admin-webhook-logs",
            summary: "Every inbound log, filtered and paged; one log; replay; a viewer page",
            routes: [Route("/api/admin/webhook-logs")],
            endpoints: [
                Endpoint("GET", "/api/admin/webhook-logs"), Endpoint("GET", "/api/admin/webhook-logs/viewer"), Endpoint("GET", "/api/admin/webhook-logs/{id}"),
                Endpoint("POST", "/api/admin/webhook-logs/{id}/replay"),
            ],
            authentication: .adminKey,
            // A replay runs the inbound function with these settings, so it gets theirs too
            // (not their sender checks, which a replay skips).
            settings: ["LEADWIRE_FUNCTIONS_DIR"] + amocrmSettings + knowlaritySettings + corsSettings),
        FunctionDescription(
            name: "export",
            summary: "Datasets as CSV, JSON or NDJSON, streamed in constant memory, every export audited; the users listing, paged; one person's record, consent, data export and erasure",
            routes: [Route("/api/admin/export"), Route("/api/admin/users")],
            endpoints: [
                Endpoint("GET", "/api/admin/export/{dataset}/{format}"), Endpoint("GET", "/api/admin/users"), Endpoint("GET", "/api/admin/users/{id}"),
                Endpoint("POST", "/api/admin/users/{id}/consents"), Endpoint("POST", "/api/admin/users/{id}/export"),
                Endpoint("POST", "/api/admin/users/{id}/erase"),
            ],
            authentication: .adminKey,
            settings: corsSettings),
        FunctionDescription(
            name: "leads",
            summary: "`kommo_leads` for frontends, read-only (scope `leads:read`): filtered and paged, or one lead by `kommo_id`; CORS for the origins listed",
            routes: [Route("/api/leads")],
            endpoints: [Endpoint("GET", "/api/leads"), Endpoint("GET", "/api/leads/{kommo_id}")],
            authentication: .adminKey,
            settings: corsSettings),
        FunctionDescription(
            name: "dashboard",
            summary: "Leads, calls and won deals per day or week in the configured time zone, top UTM sources and targetologists, intake health and outbound deliveries: as JSON (scope `stats:read`) and as a page that draws them",
            routes: [Route("/api/admin/dashboard"), Route("/api/admin/stats")],
            endpoints: [Endpoint("GET", "/api/admin/dashboard"), Endpoint("GET", "/api/admin/stats")],
            authentication: .adminKey,
            settings: ["LEADWIRE_TIME_ZONE"] + corsSettings),
        FunctionDescription(
            name: "metrics",
            summary: "Prometheus metrics (scope `metrics:read`): intake by source and status with processing-time histograms, the outbox, deliveries, disabled subscriptions, the pollers, the store's size and schema version",
            routes: [Route("/metrics")],
            endpoints: [Endpoint("GET", "/metrics")],
            authentication: .adminKey),
        FunctionDescription(
            name: "webhook-subscriptions",
            summary: "Outbound webhook subscriptions, signed both ways: create, list, change, delete, test, rotate the secret, retry a delivery; the worker (`runtime worker`, or inside `runtime serve`) delivers them and the Telegram sale notices",
            routes: [Route("/api/admin/webhooks")],
            endpoints: [
                Endpoint("GET", "/api/admin/webhooks"), Endpoint("POST", "/api/admin/webhooks"), Endpoint("GET", "/api/admin/webhooks/viewer"),
                Endpoint("GET", "/api/admin/webhooks/{id}"), Endpoint("PATCH", "/api/admin/webhooks/{id}"), Endpoint("DELETE", "/api/admin/webhooks/{id}"),
                Endpoint("POST", "/api/admin/webhooks/{id}/test"), Endpoint("POST", "/api/admin/webhooks/{id}/rotate-secret"),
                Endpoint("POST", "/api/admin/webhooks/{id}/deliveries/{delivery}/retry"),
            ],
            authentication: .adminKey,
            settings: ["LEADWIRE_SECRET_KEY", "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE"] + corsSettings),
        FunctionDescription(
            name: "kommo-oauth",
            summary: "Kommo OAuth: connect accounts (an admin starts it; Kommo's redirect is checked by its one-time state), tokens sealed and refreshed one process at a time, the `/api/v4/` proxy, Kommo's disabled hook (signed by Kommo)",
            routes: [Route("/kommo-oauth"), Route("/functions/v1/kommo-oauth")],
            endpoints: [
                Endpoint("GET", "/kommo-oauth", query: "action=authorize|callback|status|disabled"),
                Endpoint("POST", "/kommo-oauth", query: "action=api-request|refresh|disconnect"),
            ],
            authentication: .adminKey,
            settings: [
                "LEADWIRE_KOMMO_CLIENT_ID", "LEADWIRE_KOMMO_CLIENT_SECRET", "LEADWIRE_KOMMO_REDIRECT_URI", "LEADWIRE_KOMMO_AUTHORIZE_URL",
                "LEADWIRE_KOMMO_ALLOWED_ACCOUNTS", "LEADWIRE_KOMMO_API_ORIGIN", "LEADWIRE_KOMMO_API_RATE_LIMIT", "LEADWIRE_KOMMO_API_MAX_WAIT_SECONDS",
                "LEADWIRE_KOMMO_API_TIMEOUT_MS", "LEADWIRE_KOMMO_API_MAX_ANSWER_BYTES", "LEADWIRE_SECRET_KEY",
            ]),
        FunctionDescription(
            name: "widget-request",
            summary: "A Kommo Salesbot widget step: the signed token checked, the request queued, the reply sent to `return_url` by the worker",
            routes: [Route("/widget-request"), Route("/api/kommo/kommo/widget-request")],
            endpoints: [Endpoint("POST", "/widget-request")],
            authentication: .signed("a token in the body, signed with LEADWIRE_KOMMO_CLIENT_SECRET (HS256 or HS512)", .widgetRequest),
            logSource: nil,
            settings: ["LEADWIRE_KOMMO_CLIENT_ID", "LEADWIRE_KOMMO_CLIENT_SECRET", "LEADWIRE_WIDGET_TOKEN_LEEWAY_SECONDS", "LEADWIRE_WIDGET_MAX_TOKEN_BYTES"],
            storeBound: true),
        FunctionDescription(
            name: "health",
            summary: "`200 {\"status\":\"ok\",\"version\":…,\"schema_version\":…}` when the store answers, `503` when it does not; for load balancers and uptime checks",
            routes: [Route("/health")],
            endpoints: [Endpoint("GET", "/health"), Endpoint("HEAD", "/health")],
            authentication: .none),
    ]

    /// Every `source` an intake log row can carry: the inbound functions' and widget-request's
    /// (`widget`, whose rows cannot be replayed: its signed token is not kept).
    public static let logSources = functions.compactMap(\.logSource) + ["widget"]

    /// What every function reads: where the store is, the request limits, the log, FastCGI.
    public static let commonSettings = [
        "LEADWIRE_DATABASE", "LEADWIRE_DATABASE_URL", "LEADWIRE_BUSY_TIMEOUT_MS", "LEADWIRE_SQLITE_SYNCHRONOUS", "LEADWIRE_MAX_BODY_BYTES",
        "LEADWIRE_MAX_FORM_KEYS", "LEADWIRE_MAX_NESTING_DEPTH", "LEADWIRE_MAX_FORM_INDEX", "LEADWIRE_WEBHOOK_DEADLINE_MS", "LEADWIRE_LOG_PATH",
        "LEADWIRE_FASTCGI_MAX_PARAMS_BYTES", "LEADWIRE_FASTCGI_MAX_REQUESTS", "LEADWIRE_FASTCGI_READ_TIMEOUT_SECONDS",
        "LEADWIRE_FASTCGI_CONNECTIONS", "LEADWIRE_GROUP_COMMIT_MAX_REQUESTS", "LEADWIRE_GROUP_COMMIT_WAIT_MS",
        "LEADWIRE_FASTCGI_PARENT_PID", "LEADWIRE_REPLAY_OF",
    ]

    static let amocrmSettings = [
        "LEADWIRE_AMOCRM_PIPELINE_IDS", "LEADWIRE_AMOCRM_WON_STATUS_IDS", "LEADWIRE_AMOCRM_UTM_FIELD_IDS", "LEADWIRE_AMOCRM_REFERRAL_PREFIX",
        "LEADWIRE_AMOCRM_TARGETOLOGISTS",
    ]
    /// The admin and read APIs answer browsers on the origins listed.
    static let corsSettings = ["LEADWIRE_CORS_ORIGINS"]
    static let knowlaritySettings = ["LEADWIRE_PHONE_DIGITS", "LEADWIRE_TIME_ZONE"]

    /// Whether a setting holds a secret, which must reach a function through a file
    /// (`<NAME>_FILE`) rather than a configuration, a unit file or a command line: tokens,
    /// secrets, keys, and a database URL with a password in it.
    public static func isSecret(_ name: String, value: String) -> Bool {
        if name == "LEADWIRE_DATABASE_URL" {
            let credentials = value.split(separator: "@", maxSplits: 1).first.map { $0.split(separator: "/").last ?? "" } ?? ""
            return value.contains("@") && credentials.contains(":") || value.lowercased().contains("password=")
        }
        return ["_TOKEN", "_SECRET", "_KEY", "_PASSWORD"].contains { name.hasSuffix($0) }
    }

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
