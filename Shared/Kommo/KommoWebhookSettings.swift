import FunctionKit

/// kommo-webhook's own settings.
struct KommoWebhookSettings {
    /// LEADWIRE_KOMMO_WEBHOOK_TOKEN: when set, every request must carry it, as `?token=` (what
    /// Kommo's webhook URL field allows) or an `X-Webhook-Token` header. Kommo does not sign
    /// account webhooks, so a secret in the URL is the available check (research/kommo.md §1.1).
    var token: String?

    init(_ environment: Environment) {
        token = environment["LEADWIRE_KOMMO_WEBHOOK_TOKEN"]
    }
}
