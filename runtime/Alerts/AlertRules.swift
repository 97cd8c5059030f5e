import FunctionKit
import LeadwireStore

/// A condition that holds now: which rule, about what (a subscription's id, a poller's name, or
/// empty for the whole store), and what a person should read.
struct AlertCondition: Equatable {
    let rule: String
    let subject: String
    let summary: String
}

/// The rules, each a query of the store's present state. Every rule is evaluated afresh each
/// time; `AlertMonitor` turns the differences into raised and resolved alerts.
struct AlertRules {
    let settings: AlertSettings
    /// The outbox topics the worker can send (`webhook`, `telegram.%`): a message it cannot
    /// send (no key, no Telegram configured) is waiting by the operator's choice, not stuck.
    let sendableTopics: [String]

    func conditions(in database: Database, now: Timestamp) throws -> [AlertCondition] {
        try intakeErrors(database, now) + subscriptionsDisabled(database) + failingDeliveries(database) + stuckMessages(database, now)
            + stalledPollers(database, now)
    }

    func intakeErrors(_ database: Database, _ now: Timestamp) throws -> [AlertCondition] {
        guard settings.intakeErrors > 0 else { return [] }
        let since = now.adding(seconds: -Int64(settings.intakeWindowMinutes) * 60)
        let errors = try database.queryRow("SELECT count(*) FROM inbound_logs WHERE status = 'error' AND received_at >= ?", [.text(since.iso8601)])?[0].integer ?? 0
        guard errors >= settings.intakeErrors else { return [] }
        return [AlertCondition(
            rule: "intake_errors", subject: "",
            summary: "\(errors) intake errors in the last \(settings.intakeWindowMinutes) minutes (the limit is \(settings.intakeErrors)); see the logs with status=error")]
    }

    /// Subscriptions the worker switched off (a hand-made switch-off has no reason).
    func subscriptionsDisabled(_ database: Database) throws -> [AlertCondition] {
        try database.query("SELECT id, name, disabled_reason FROM webhook_subscriptions WHERE active = FALSE AND disabled_reason IS NOT NULL ORDER BY id").map { row in
            AlertCondition(
                rule: "subscription_disabled", subject: row[0].text ?? "",
                summary: "The webhook subscription \"\(row[1].text ?? "")\" was switched off: \(row[2].text ?? "")")
        }
    }

    func failingDeliveries(_ database: Database) throws -> [AlertCondition] {
        guard settings.deliveryFailures > 0 else { return [] }
        return try database.query(
            "SELECT id, name, consecutive_failures FROM webhook_subscriptions WHERE active = TRUE AND consecutive_failures >= ? ORDER BY id",
            [.integer(Int64(settings.deliveryFailures))]
        ).map { row in
            AlertCondition(
                rule: "delivery_failures", subject: row[0].text ?? "",
                summary: "Deliveries to the webhook subscription \"\(row[1].text ?? "")\" failed \(row[2].integer ?? 0) times in a row")
        }
    }

    func stuckMessages(_ database: Database, _ now: Timestamp) throws -> [AlertCondition] {
        guard settings.pendingMinutes > 0, !sendableTopics.isEmpty else { return [] }
        let topics = sendableTopics.map { _ in "topic LIKE ?" }.joined(separator: " OR ")
        let limit = now.adding(seconds: -Int64(settings.pendingMinutes) * 60)
        let row = try database.queryRow(
            "SELECT count(*), min(created_at) FROM outbox WHERE status = 'pending' AND created_at < ? AND (\(topics))",
            [.text(limit.iso8601)] + sendableTopics.map { .text($0) })
        guard let count = row?[0].integer, count > 0 else { return [] }
        return [AlertCondition(
            rule: "pending_messages", subject: "",
            summary: "\(count) outbound messages have waited more than \(settings.pendingMinutes) minutes; the oldest since \(row?[1].text ?? "?")")]
    }

    /// A poller whose last finished pass is older than its interval times the allowed misses:
    /// it keeps failing, or it stopped.
    func stalledPollers(_ database: Database, _ now: Timestamp) throws -> [AlertCondition] {
        guard settings.pollerMissedPasses > 0 else { return [] }
        return try database.query("SELECT name, updated_at FROM poll_cursors ORDER BY name").compactMap { row in
            let name = row[0].text ?? ""
            let interval = Int64(name.hasPrefix("amocrm") ? settings.amocrmPollSeconds : settings.knowlarityPollSeconds)
            guard let finished = row[1].text.flatMap({ ISO8601Time.microseconds($0) }) else { return nil }
            let silentSeconds = (now.millisecondsSince1970 - finished / 1000) / 1000
            guard silentSeconds > interval * Int64(settings.pollerMissedPasses) else { return nil }
            return AlertCondition(
                rule: "poller_stalled", subject: name,
                summary: "The \(name) poller has finished no pass for \(silentSeconds) s (its interval is \(interval) s): it keeps failing, or it stopped")
        }
    }
}
