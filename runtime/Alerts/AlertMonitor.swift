import FunctionKit
import LeadwireStore

/// Turns the rules' conditions into alerts, once per episode: a condition with no open alert
/// raises one (a row, an `alert.raised` event for the subscriptions that want it, and a Telegram
/// message when Telegram is configured); an open alert whose condition no longer holds is
/// resolved the same way (`alert.resolved`). Each change is one transaction, and the open row
/// is unique per rule and subject, so two workers never raise or resolve the same alert twice.
struct AlertMonitor {
    let rules: AlertRules
    let telegram: Bool
    let log: Logger

    struct Changes: Equatable {
        var raised = 0
        var resolved = 0
    }

    func evaluate(_ database: Database, now: Timestamp = .now()) throws -> Changes {
        let conditions = try rules.conditions(in: database, now: now)
        let open = try database.query("SELECT id, rule, subject, summary, raised_at FROM alerts WHERE resolved_at IS NULL ORDER BY id")
        var changes = Changes()
        for condition in conditions where !open.contains(where: { $0[1].text == condition.rule && $0[2].text == condition.subject }) {
            if try raise(condition, in: database, now: now) { changes.raised += 1 }
        }
        for row in open where !conditions.contains(where: { $0.rule == row[1].text && $0.subject == row[2].text }) {
            if try resolve(row, in: database, now: now) { changes.resolved += 1 }
        }
        return changes
    }

    private func raise(_ condition: AlertCondition, in database: Database, now: Timestamp) throws -> Bool {
        try database.transaction {
            guard
                let id = try database.queryRow(
                    """
                    INSERT INTO alerts (rule, subject, summary, raised_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (rule, subject) WHERE resolved_at IS NULL DO NOTHING RETURNING id
                    """, [.text(condition.rule), .text(condition.subject), .text(condition.summary), .text(now.iso8601)])?[0].integer
            else { return false }
            let alert = Self.json(id: id, rule: condition.rule, subject: condition.subject, summary: condition.summary, raisedAt: now.iso8601, resolvedAt: nil)
            try announce("alert.raised", alert, text: "Leadwire alert: " + condition.summary, key: "alert:\(id):raised", in: database, now: now)
            log.error("alert_raised", ["rule": .string(condition.rule), "subject": .string(condition.subject), "summary": .string(condition.summary)])
            return true
        }
    }

    private func resolve(_ row: Row, in database: Database, now: Timestamp) throws -> Bool {
        let id = row[0].integer ?? 0
        return try database.transaction {
            guard try database.run("UPDATE alerts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", [.text(now.iso8601), .integer(id)]) == 1 else {
                return false
            }
            let (rule, subject, summary) = (row[1].text ?? "", row[2].text ?? "", row[3].text ?? "")
            let alert = Self.json(id: id, rule: rule, subject: subject, summary: summary, raisedAt: row[4].text ?? "", resolvedAt: now.iso8601)
            try announce("alert.resolved", alert, text: "Leadwire alert resolved: " + summary, key: "alert:\(id):resolved", in: database, now: now)
            log.info("alert_resolved", ["rule": .string(rule), "subject": .string(subject)])
            return true
        }
    }

    private func announce(_ type: String, _ alert: JSONValue, text: String, key: String, in database: Database, now: Timestamp) throws {
        _ = try EventFanOut(database: database).emit(
            OutboundEvent(type, data: JSONObject([("alert", alert)]), metadata: JSONObject([("source", "worker")])), at: now)
        guard telegram else { return }
        _ = try Outbox.enqueue(topic: "telegram.alert", payload: JSONValue.object(JSONObject([("text", .string(text))])).jsonText, idempotencyKey: key, in: database)
    }

    static func json(id: Int64, rule: String, subject: String, summary: String, raisedAt: String, resolvedAt: String?) -> JSONValue {
        .object(JSONObject([
            ("id", JSONValue(id)), ("rule", .string(rule)), ("subject", .string(subject)), ("summary", .string(summary)),
            ("raised_at", .string(raisedAt)), ("resolved_at", JSONValue(resolvedAt)),
        ]))
    }
}
