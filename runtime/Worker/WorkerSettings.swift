import FunctionKit
import KommoOAuth
import SecretSealing

/// The worker's settings, read once at start.
struct WorkerSettings: Sendable {
    /// Deliveries in flight at once.
    var concurrency: Int
    /// How often an idle worker looks for due messages.
    var pollMilliseconds: Int
    /// How long a claimed message stays this worker's; keep it longer than the longest timeout
    /// (30 s), or a slow delivery may be sent again by another worker meanwhile.
    var leaseSeconds: Int64
    /// Failed attempts in a row after which a subscription is switched off.
    var disableAfterFailures: Int64
    var allowPrivate: Bool
    /// Nil without LEADWIRE_SECRET_KEY: webhook messages then wait (Telegram notices still go).
    var sealingKey: SealingKey?
    var telegram: TelegramSettings?
    /// Nil without LEADWIRE_KOMMO_CLIENT_ID: widget replies then wait.
    var kommo: KommoOAuthSettings?
    var widget: WidgetReplySettings
    var alerts: AlertSettings

    /// From the runtime's settings; `LEADWIRE_*_FILE` variants are read as the functions read them.
    init(_ settings: Environment) throws(ConfigurationError) {
        let environment = try settings.resolvingSecretFiles()
        concurrency = try environment.integer("LEADWIRE_WORKER_CONCURRENCY", default: 32)
        pollMilliseconds = try environment.integer("LEADWIRE_WORKER_POLL_MS", default: 500)
        leaseSeconds = Int64(try environment.integer("LEADWIRE_WORKER_LEASE_SECONDS", default: 60))
        disableAfterFailures = Int64(try environment.integer("LEADWIRE_WEBHOOKS_DISABLE_AFTER_FAILURES", default: 20))
        allowPrivate = environment["LEADWIRE_WEBHOOKS_ALLOW_PRIVATE"] == "1"
        sealingKey = environment[SealingKey.variable] == nil ? nil : try SealingKey(environment)
        telegram = TelegramSettings(environment)
        kommo = environment["LEADWIRE_KOMMO_CLIENT_ID"] == nil ? nil : try KommoOAuthSettings(environment)
        widget = try WidgetReplySettings(environment)
        alerts = try AlertSettings(environment)
    }

    /// The outbox topics this worker can send.
    var topics: [String] {
        (sealingKey == nil ? [] : ["webhook"]) + (telegram == nil ? [] : ["telegram.%"]) + (sealingKey == nil || kommo == nil ? [] : ["widget.reply"])
    }
}

/// Telegram's Bot API: `sendMessage` to one chat.
struct TelegramSettings: Sendable, CustomStringConvertible {
    let token: String
    let chatID: String
    /// https://api.telegram.org, or a stand-in for tests.
    let apiBase: String

    init?(_ environment: Environment) {
        guard let token = environment["LEADWIRE_TELEGRAM_BOT_TOKEN"], let chatID = environment["LEADWIRE_TELEGRAM_CHAT_ID"] else { return nil }
        self.token = token
        self.chatID = chatID
        apiBase = environment["LEADWIRE_TELEGRAM_API_BASE"] ?? "https://api.telegram.org"
    }

    var description: String { "Telegram chat \(chatID) via \(apiBase) (token redacted)" }
}
