extension Setting {
    /// Every setting, in the order README's Configuration table lists them.
    public static let all: [Setting] = [
        Setting(
            "LEADWIRE_DATABASE", .value("leadwire.sqlite3", note: "in the working folder"), usedBy: "functions, runtime",
            "the SQLite file; created, and its schema migrated, on first use"),
        Setting(
            "LEADWIRE_DATABASE_URL", .unset("SQLite"), usedBy: "functions, runtime",
            "a PostgreSQL database (`postgres://user:password@host:5432/db?sslmode=require`, any libpq URI or `key=value` string) used instead of the SQLite file; its schema is migrated on first use (see PostgreSQL)"),
        Setting(
            "LEADWIRE_BUSY_TIMEOUT_MS", .value("5000"), usedBy: "functions, runtime",
            "how long a write waits for other writers (in short random steps, so waiters take turns fairly; on PostgreSQL, its `lock_timeout`) before the request gets `503`"),
        Setting(
            "LEADWIRE_SQLITE_SYNCHRONOUS", .value("full"), usedBy: "functions, runtime",
            "`full`: every commit reaches the disk before the function answers, so an acknowledged event survives a power cut; the sync runs after the write lock is released, so other processes write meanwhile (and may read a commit a moment before it is on disk). `normal`: commits reach the disk at checkpoints; an acknowledged event survives any process crash but the last ones can be lost to a power cut, and concurrent writers go faster (see the benchmark)"),
        Setting(
            "LEADWIRE_WEBHOOK_DEADLINE_MS", .value("1500"), usedBy: "inbound webhooks",
            "an event not stored this long after it arrived is rolled back and answered `503`, so the sender retries instead of taking a late answer for a failure (Kommo waits 2 s)"),
        Setting(
            "LEADWIRE_LOG_PATH", .unset("stderr"), usedBy: "functions",
            "append the functions' JSON log lines to this file instead of stderr; the generated spawn-fcgi script and the nginx + fcgiwrap config set it, since spawn-fcgi leaves a function no stderr"),
        Setting(
            "LEADWIRE_FASTCGI_MAX_REQUESTS", .unset("no limit"), usedBy: "functions in FastCGI mode",
            "requests a process answers before it exits, for hosts that start a fresh one"),
        Setting(
            "LEADWIRE_FASTCGI_MAX_PARAMS_BYTES", .value("65536"), usedBy: "functions in FastCGI mode",
            "the most bytes of FastCGI parameters (the request's headers) one request may send; more closes that connection"),
        Setting(
            "LEADWIRE_FASTCGI_READ_TIMEOUT_SECONDS", .value("60"), usedBy: "functions in FastCGI mode",
            "how long a host connection may stay silent before it is closed"),
        Setting(
            "LEADWIRE_FASTCGI_CONNECTIONS", .value("16"), usedBy: "functions in FastCGI mode",
            "host connections one process serves at once (one request at a time on each); past it, a new connection waits for one to close"),
        Setting(
            "LEADWIRE_GROUP_COMMIT_MAX_REQUESTS", .value("16"), usedBy: "inbound webhooks in FastCGI mode, on SQLite",
            "the most requests whose writes commit together: the requests ready at once share one transaction (each in its own savepoint) and are answered after it commits, so a burst shares one commit and one sync; `1` commits each request alone"),
        Setting(
            "LEADWIRE_GROUP_COMMIT_WAIT_MS", .value("0"), usedBy: "inbound webhooks in FastCGI mode, on SQLite",
            "how long a group that is not full waits for more requests before it commits; `0` waits for none (a group is what arrived while the one before was answered, so it grows with the load and a lone request waits for nothing)"),
        Setting(
            "LEADWIRE_MAX_BODY_BYTES", .value("1048576", note: "1 MiB"), usedBy: "functions, runtime",
            "larger bodies get `413` and are never read"),
        Setting(
            "LEADWIRE_MAX_FORM_KEYS", .value("10000"), usedBy: "inbound webhooks",
            "more fields in one form body get `400 form_too_complex` (the raw body is still logged)"),
        Setting(
            "LEADWIRE_MAX_NESTING_DEPTH", .value("64"), usedBy: "inbound webhooks",
            "deeper form keys (`a[b][c]…`) or JSON nesting get `400`"),
        Setting(
            "LEADWIRE_MAX_FORM_INDEX", .value("100000"), usedBy: "inbound webhooks",
            "a larger integer key (`leads[add][N]`) gets `400`"),
        Setting(
            "LEADWIRE_KOMMO_WEBHOOK_TOKEN", .unset(), usedBy: "kommo-webhook",
            "shared secret required as `?token=` or `X-Webhook-Token`. With no token and no allowlist, every request gets `401 intake_closed` (see Safe to expose)"),
        Setting(
            "LEADWIRE_KOMMO_WEBHOOK_ALLOWED_IPS", .unset("anyone"), usedBy: "kommo-webhook",
            "senders allowed (addresses and CIDR ranges, IPv4 and IPv6, comma- or space-separated); anyone else gets `403`, a `sender_refused` log line, and nothing is stored. The sender is `REMOTE_ADDR` (behind a proxy, see `--trusted-proxy`)"),
        Setting(
            "LEADWIRE_KOMMO_WEBHOOK_RATE_LIMIT", .unset("no limit"), usedBy: "kommo-webhook",
            "requests a minute one sender may send (an IPv4 address, or an IPv6 /64), counted in the store so every process and host shares the count; one more gets `429` with `Retry-After` (the seconds left in its minute) and nothing is stored, while other senders go on"),
        Setting(
            "LEADWIRE_KOMMO_WEBHOOK_AUTH", .unset("closed"), usedBy: "kommo-webhook",
            "`none` accepts requests that no token or allowlist authenticates; anything else is a configuration error"),
        Setting(
            "LEADWIRE_AMOCRM_WEBHOOK_TOKEN", .unset(), usedBy: "amocrm-webhook",
            "the same, for amoCRM"),
        Setting(
            "LEADWIRE_AMOCRM_WEBHOOK_ALLOWED_IPS", .unset("anyone"), usedBy: "amocrm-webhook",
            "the same, for amoCRM"),
        Setting(
            "LEADWIRE_AMOCRM_WEBHOOK_RATE_LIMIT", .unset("no limit"), usedBy: "amocrm-webhook",
            "the same, for amoCRM"),
        Setting(
            "LEADWIRE_AMOCRM_WEBHOOK_AUTH", .unset("closed"), usedBy: "amocrm-webhook",
            "the same, for amoCRM"),
        Setting(
            "LEADWIRE_AMOCRM_WON_STATUS_IDS", .value("142"), usedBy: "amocrm-webhook, `runtime poll amocrm`, `runtime reconcile amocrm`",
            "comma-separated statuses that mean a won deal"),
        Setting(
            "LEADWIRE_AMOCRM_PIPELINE_IDS", .unset("every pipeline"), usedBy: "amocrm-webhook, `runtime poll amocrm`, `runtime reconcile amocrm`",
            "comma-separated pipelines whose won deals are sales"),
        Setting(
            "LEADWIRE_AMOCRM_UTM_FIELD_IDS", .unset(), usedBy: "amocrm-webhook",
            "extra UTM fields by id: `utm_source=123,utm_campaign=456`"),
        Setting(
            "LEADWIRE_AMOCRM_REFERRAL_PREFIX", .value("ref_"), usedBy: "amocrm-webhook",
            "a `utm_source` with this prefix is a referral; the rest is the code"),
        Setting(
            "LEADWIRE_AMOCRM_TARGETOLOGISTS", .unset("no traffic route"), usedBy: "amocrm-webhook",
            "`Name=glob,glob;Name=glob`: whose UTM patterns route a sale to traffic"),
        Setting(
            "LEADWIRE_KNOWLARITY_WEBHOOK_TOKEN", .unset(), usedBy: "knowlarity-webhook",
            "shared secret required as `?token=` or `X-Webhook-Token`"),
        Setting(
            "LEADWIRE_KNOWLARITY_WEBHOOK_ALLOWED_IPS", .unset("anyone"), usedBy: "knowlarity-webhook",
            "the same, for Knowlarity"),
        Setting(
            "LEADWIRE_KNOWLARITY_WEBHOOK_RATE_LIMIT", .unset("no limit"), usedBy: "knowlarity-webhook",
            "the same, for Knowlarity"),
        Setting(
            "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH", .unset("closed"), usedBy: "knowlarity-webhook",
            "the same, for Knowlarity; a signing secret also authenticates"),
        Setting(
            "LEADWIRE_KNOWLARITY_SIGNING_SECRET", .unset("no check"), usedBy: "knowlarity-webhook",
            "HMAC-SHA256 key; requires `X-Knowlarity-Signature` over the body, and refuses GET hooks (no body to sign)"),
        Setting(
            "LEADWIRE_PHONE_DIGITS", .value("10"), usedBy: "knowlarity-webhook",
            "phones are compared by their last N digits; fewer digits is no phone"),
        Setting(
            "LEADWIRE_TIME_ZONE", .value("Asia/Kolkata"), usedBy: "knowlarity-webhook, dashboard",
            "IANA zone or offset (`+05:30`) whose day \"today\" counts in, and whose days the dashboard's figures are per"),
        Setting(
            "LEADWIRE_KNOWLARITY_API_KEY", .unset(), usedBy: "`runtime poll knowlarity`",
            "the call log API's application access key (sent as `x-api-key`)"),
        Setting(
            "LEADWIRE_KNOWLARITY_SR_KEY", .unset(), usedBy: "`runtime poll knowlarity`",
            "the SR API key (sent raw as `Authorization`, as Knowlarity expects)"),
        Setting(
            "LEADWIRE_KNOWLARITY_API_BASE", .value("https://kpi.knowlarity.com/Basic/v1"), usedBy: "`runtime poll knowlarity`",
            "the call log API's address (a stand-in for tests)"),
        Setting(
            "LEADWIRE_KNOWLARITY_POLL_SECONDS", .value("30"), usedBy: "`runtime poll knowlarity`, worker (alerts)",
            "seconds between passes"),
        Setting(
            "LEADWIRE_KNOWLARITY_POLL_OVERLAP_SECONDS", .value("600"), usedBy: "`runtime poll knowlarity`",
            "how far before the last pass's end each pass starts, so a call that enters the log late is still found"),
        Setting(
            "LEADWIRE_AMOCRM_POLL_SECONDS", .value("300"), usedBy: "`runtime poll amocrm`, worker (alerts)",
            "seconds between passes over amoCRM's won deals"),
        Setting(
            "LEADWIRE_AMOCRM_POLL_OVERLAP_SECONDS", .value("3600"), usedBy: "`runtime poll amocrm`",
            "how far before the last pass's end each pass starts, so a deal whose hook is still being retried is read again"),
        Setting(
            "LEADWIRE_AMOCRM_POLL_ACCOUNTS", .unset("every connected account"), usedBy: "`runtime poll amocrm`, `runtime reconcile amocrm`",
            "the connected accounts to read (ids or subdomains, comma-separated)"),
        Setting(
            "LEADWIRE_PORT", .value("8080"), usedBy: "`runtime serve`",
            "port on 127.0.0.1 (`--port 0` picks a free one)"),
        Setting(
            "LEADWIRE_IDLE_TIMEOUT_MS", .value("60000"), usedBy: "`runtime serve`",
            "a connection that sends no request this long (from its start, or since its last answer) is closed"),
        Setting(
            "LEADWIRE_HEADER_TIMEOUT_MS", .value("10000"), usedBy: "`runtime serve`",
            "a request whose head (request line and headers) is not complete this long after its first byte is dropped, so a client sending a byte a second holds nothing"),
        Setting(
            "LEADWIRE_MAX_CONNECTIONS", .value("1024"), usedBy: "`runtime serve`",
            "connections open at once; one more is closed at once, the others go on"),
        Setting(
            "LEADWIRE_FUNCTION_TIMEOUT_SECONDS", .value("30"), usedBy: "`runtime serve`, `runtime invoke`",
            "a function still running then is killed; the caller gets `504` (or a cut connection, if its answer had begun)"),
        Setting(
            "LEADWIRE_POOL_PROCESSES", .value("2"), usedBy: "`runtime serve`",
            "FastCGI processes per function; further requests wait in a queue"),
        Setting(
            "LEADWIRE_MAX_CHILDREN", .described("4 per core"), usedBy: "`runtime serve --cgi`",
            "function processes running at once; further requests wait in a queue"),
        Setting(
            "LEADWIRE_MAX_QUEUED", .value("1000"), usedBy: "`runtime serve`",
            "requests waiting for a process at once; one more gets `503` with `Retry-After: 1` at once"),
        Setting(
            "LEADWIRE_QUEUE_TIMEOUT_MS", .value("5000"), usedBy: "`runtime serve`",
            "how long a request waits for a free process before it gets `503` with `Retry-After: 1`"),
        Setting(
            "LEADWIRE_FUNCTIONS_DIR", .described("the runtime's (or the function's) own folder"), usedBy: "runtime, admin-webhook-logs (replay)",
            "where the function executables are"),
        Setting(
            "LEADWIRE_CORS_ORIGINS", .unset("no browser on another origin"), usedBy: "leads, admin-webhook-logs, export, webhook-subscriptions",
            "origins whose pages may call the read and admin APIs from a browser (`https://app.example.com http://localhost:5173`, comma- or space-separated): they get `Access-Control-Allow-Origin` naming them and preflights answered; any other origin gets no CORS header, so the browser blocks its page. Never `*`, never credentials: keys travel in `Authorization`"),
        Setting(
            "LEADWIRE_SECRET_KEY", .unset(), usedBy: "webhook-subscriptions, kommo-oauth, worker",
            "32 bytes as 64 hex digits or base64 (`openssl rand -hex 32`): the key webhook signing secrets and Kommo OAuth tokens are stored encrypted with (AES-256-GCM). Without it webhook-subscriptions and kommo-oauth answer `500` naming it, and the worker leaves webhook messages and widget replies queued"),
        Setting(
            "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE", .unset(), usedBy: "webhook-subscriptions, worker",
            "`1` allows subscriber URLs on plain http and on loopback, private and link-local addresses (for development and tests); otherwise they are refused, against server-side request forgery"),
        Setting(
            "LEADWIRE_WEBHOOKS_DISABLE_AFTER_FAILURES", .value("20"), usedBy: "worker",
            "failed attempts in a row after which a subscription is switched off (re-enable it with `PATCH {\"active\": true}`)"),
        Setting(
            "LEADWIRE_WORKER_CONCURRENCY", .value("32"), usedBy: "worker",
            "deliveries in flight at once"),
        Setting(
            "LEADWIRE_WORKER_POLL_MS", .value("500"), usedBy: "worker",
            "how often an idle worker looks for due messages"),
        Setting(
            "LEADWIRE_WORKER_LEASE_SECONDS", .value("60"), usedBy: "worker",
            "how long a claimed message is one worker's; after that (a worker killed mid-delivery) another takes it. Keep it above the longest `timeoutMs` (30 s)"),
        Setting(
            "LEADWIRE_TELEGRAM_BOT_TOKEN", .unset(), usedBy: "worker",
            "the Bot API token traffic-sale notices are sent with; without it (or the chat id) they wait in the outbox"),
        Setting(
            "LEADWIRE_TELEGRAM_CHAT_ID", .unset(), usedBy: "worker",
            "the chat (or channel, `-100…`) the notices go to"),
        Setting(
            "LEADWIRE_TELEGRAM_API_BASE", .value("https://api.telegram.org"), usedBy: "worker",
            "the Bot API's address (a stand-in for tests)"),
        Setting(
            "LEADWIRE_ALERT_CHECK_SECONDS", .value("60"), usedBy: "worker",
            "how often the worker evaluates the alert rules below; each alert is sent once when raised and once when resolved (see Alerts). For every rule, `0` turns it off"),
        Setting(
            "LEADWIRE_ALERT_INTAKE_ERRORS", .value("10"), usedBy: "worker",
            "intake errors (log rows with status `error`) within the window that raise `intake_errors`"),
        Setting(
            "LEADWIRE_ALERT_INTAKE_WINDOW_MINUTES", .value("15"), usedBy: "worker",
            "the window those errors are counted in"),
        Setting(
            "LEADWIRE_ALERT_DELIVERY_FAILURES", .value("5"), usedBy: "worker",
            "failed deliveries in a row to one subscription that raise `delivery_failures` for it (it is switched off later, at LEADWIRE_WEBHOOKS_DISABLE_AFTER_FAILURES, which raises `subscription_disabled`)"),
        Setting(
            "LEADWIRE_ALERT_PENDING_MINUTES", .value("30"), usedBy: "worker",
            "minutes a message the worker can send may wait before `pending_messages` is raised"),
        Setting(
            "LEADWIRE_ALERT_POLLER_MISSED_PASSES", .value("3"), usedBy: "worker",
            "poll intervals a poller may go without finishing a pass before `poller_stalled` is raised for it"),
        Setting(
            "LEADWIRE_KOMMO_CLIENT_ID", .unset(), usedBy: "kommo-oauth, widget-request, worker",
            "the integration's id in Kommo. kommo-oauth needs it (with the secret and redirect URI) or answers `500` naming it; widget-request then also requires it as the token's `client_uuid`; the worker sends widget replies only with it"),
        Setting(
            "LEADWIRE_KOMMO_CLIENT_SECRET", .unset(), usedBy: "kommo-oauth, widget-request, worker",
            "the integration's secret key: it signs Salesbot tokens and the disabled hook, and goes with every token request"),
        Setting(
            "LEADWIRE_KOMMO_REDIRECT_URI", .unset(), usedBy: "kommo-oauth, worker",
            "the redirect URI registered for the integration (`https://<your host>/kommo-oauth?action=callback`)"),
        Setting(
            "LEADWIRE_KOMMO_AUTHORIZE_URL", .value("https://www.kommo.com/oauth"), usedBy: "kommo-oauth",
            "Kommo's consent page; amoCRM accounts use `https://www.amocrm.ru/oauth`"),
        Setting(
            "LEADWIRE_KOMMO_ALLOWED_ACCOUNTS", .unset("any account an admin connects"), usedBy: "kommo-oauth",
            "the Kommo accounts that may connect: ids (`29085730`), hosts (`acme.kommo.com`) or subdomains (`acme`), comma- or space-separated; another account's code is refused before anything is stored, and Kommo's `from_widget` code (no state) is taken only for an account listed here"),
        Setting(
            "LEADWIRE_KOMMO_API_ORIGIN", .unset(), usedBy: "kommo-oauth, worker",
            "send every call meant for an account's Kommo host to this origin instead (a local stand-in in tests, or an egress proxy); it may be plain http or a private address"),
        Setting(
            "LEADWIRE_KOMMO_API_RATE_LIMIT", .value("7"), usedBy: "kommo-oauth, worker",
            "Kommo calls a second per account, counted in the store across every process; a call over it waits for the next second (up to two seconds, then `429`)"),
        Setting(
            "LEADWIRE_KOMMO_API_MAX_WAIT_SECONDS", .value("5"), usedBy: "kommo-oauth, worker",
            "a Kommo `429` asking to wait up to this long is waited out once; a longer wait goes back to the caller as `429` with `Retry-After`"),
        Setting(
            "LEADWIRE_KOMMO_API_TIMEOUT_MS", .value("15000"), usedBy: "kommo-oauth, worker",
            "how long one Kommo call (connect and answer) may take; then `502`"),
        Setting(
            "LEADWIRE_KOMMO_API_MAX_ANSWER_BYTES", .value("8388608"), usedBy: "kommo-oauth",
            "the largest Kommo answer the proxy passes on; a larger one is `502` (ask for smaller pages)"),
        Setting(
            "LEADWIRE_WIDGET_TOKEN_LEEWAY_SECONDS", .value("60"), usedBy: "widget-request",
            "clock difference allowed on the token's `exp`, `nbf` and `iat`"),
        Setting(
            "LEADWIRE_WIDGET_MAX_TOKEN_BYTES", .value("8192"), usedBy: "widget-request",
            "a longer token is refused (`401`) before it is decoded"),
        Setting(
            "LEADWIRE_WIDGET_REQUEST_ALLOWED_IPS", .unset("anyone"), usedBy: "widget-request",
            "senders allowed, as for the webhooks; anyone else gets `403` and nothing is stored"),
        Setting(
            "LEADWIRE_WIDGET_REQUEST_RATE_LIMIT", .unset("no limit"), usedBy: "widget-request",
            "requests a minute per sender, as for the webhooks"),
        Setting(
            "LEADWIRE_WIDGET_RESPONDER_URL", .unset(), usedBy: "worker",
            "the service that writes widget replies: it gets the queued request as JSON (`data`, `account_id`, `subdomain`, `entity_id`, `return_url`) and answers `{\"reply\": \"text\"}` or a whole `{\"data\": …, \"execute_handlers\": […]}`; unset, the keyword rules answer"),
        Setting(
            "LEADWIRE_WIDGET_RESPONDER_TIMEOUT_MS", .value("10000"), usedBy: "worker",
            "how long the responder may take; a slow, failing or invalid answer becomes the fallback reply and a `widget_responder_failed` log line"),
        Setting(
            "LEADWIRE_WIDGET_RULES", .unset(), usedBy: "worker",
            "keyword rules as JSON, `{\"rules\": [{\"keywords\": [\"price\"], \"reply\": \"…\"}], \"fallback\": \"…\"}` (or `LEADWIRE_WIDGET_RULES_FILE`, a file holding it); unset, every reply is the default fallback text"),
    ]
}
