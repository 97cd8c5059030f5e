public import FunctionKit
public import LeadwireStore
public import SecretSealing
import OutboundURLCheck

/// Subscriptions, their sealed secrets and their deliveries in the store.
public struct SubscriptionStore {
    let database: Database
    let key: SealingKey

    /// How long a rotated-out secret still signs (beside the new one), so receivers can switch.
    public static let rotationOverlapSeconds: Int64 = 24 * 3600
    /// How many attempts `GET /api/admin/webhooks/{id}` shows.
    public static let listedDeliveries = 50

    public init(database: Database, key: SealingKey) {
        self.database = database
        self.key = key
    }

    /// A new subscription and its secret, which is shown this once.
    public func create(_ input: SubscriptionInput, createdBy: String) throws -> (Subscription, SigningSecret) {
        let id = "wh_" + Identifiers.randomHex(byteCount: 12)
        let secret = SigningSecret.generate()
        _ = try database.run(
            """
            INSERT INTO webhook_subscriptions (id, name, url, events, description, secret_sealed, retry_attempts, retry_delay, timeout_ms, active, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(id), SQLValue(input.name), SQLValue(input.url?.text), .text(Self.eventsJSON(input.events ?? [])),
                SQLValue(input.description ?? nil), .blob(seal(secret, id: id)), .integer(input.retryAttempts ?? 3),
                .integer(input.retryDelay ?? 60), .integer(input.timeoutMs ?? 10_000), SQLValue(input.active ?? true), .text(createdBy),
            ])
        return (try subscription(id)!, secret)
    }

    public func list() throws -> [Subscription] {
        try database.query("SELECT \(Subscription.columns) FROM webhook_subscriptions ORDER BY created_at, id").map(Subscription.init)
    }

    public func subscription(_ id: String) throws -> Subscription? {
        try database.queryRow("SELECT \(Subscription.columns) FROM webhook_subscriptions WHERE id = ?", [.text(id)]).map(Subscription.init)
    }

    /// The latest attempts, newest first.
    public func deliveries(of id: String, limit: Int = listedDeliveries) throws -> [DeliveryAttempt] {
        try database.query(
            """
            SELECT \(DeliveryAttempt.columns) FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id
            WHERE d.subscription_id = ? ORDER BY d.id DESC LIMIT ?
            """, [.text(id), .integer(Int64(limit))]
        ).map(DeliveryAttempt.init)
    }

    /// Applies the fields given; re-enabling a disabled subscription clears its failure streak.
    public func update(_ id: String, with input: SubscriptionInput) throws -> Subscription? {
        var assignments: [String] = []
        var values: [SQLValue] = []
        func set(_ column: String, _ value: SQLValue?) {
            guard let value else { return }
            assignments.append("\(column) = ?")
            values.append(value)
        }
        set("name", input.name.map(SQLValue.init))
        set("url", input.url.map { .text($0.text) })
        set("events", input.events.map { .text(Self.eventsJSON($0)) })
        set("description", input.description.map { SQLValue($0) })
        set("retry_attempts", input.retryAttempts.map(SQLValue.integer))
        set("retry_delay", input.retryDelay.map(SQLValue.integer))
        set("timeout_ms", input.timeoutMs.map(SQLValue.integer))
        if let active = input.active {
            set("active", SQLValue(active))
            if active { assignments += ["disabled_reason = NULL", "consecutive_failures = 0"] }
        }
        assignments.append("updated_at = \(database.dialect.now)")
        let changed = try database.run("UPDATE webhook_subscriptions SET \(assignments.joined(separator: ", ")) WHERE id = ?", values + [.text(id)])
        return changed == 0 ? nil : try subscription(id)
    }

    /// Deletes the subscription, its queued messages and its delivery history.
    public func delete(_ id: String) throws -> Bool {
        try database.run("DELETE FROM webhook_subscriptions WHERE id = ?", [.text(id)]) == 1
    }

    /// A new secret; the old one keeps signing beside it for `rotationOverlapSeconds`.
    public func rotateSecret(_ id: String, now: Timestamp = .now()) throws -> (secret: SigningSecret, previousValidUntil: String)? {
        let secret = SigningSecret.generate()
        let until = now.adding(seconds: Self.rotationOverlapSeconds).iso8601
        let changed = try database.run(
            """
            UPDATE webhook_subscriptions SET previous_secret_sealed = secret_sealed, previous_secret_until = ?, secret_sealed = ?,
                updated_at = \(database.dialect.now) WHERE id = ?
            """, [.text(until), .blob(seal(secret, id: id)), .text(id)])
        return changed == 0 ? nil : (secret, until)
    }

    /// Queues a `webhook.test` event for this subscription alone; returns the message's id.
    public func enqueueTest(_ subscription: Subscription, now: Timestamp = .now()) throws -> Int64 {
        let id = Identifiers.timeOrdered("msg_", at: now)
        let event = OutboundEvent(
            "webhook.test",
            data: JSONObject([("subscription", .object(JSONObject([("id", .string(subscription.id)), ("name", .string(subscription.name))])))]),
            metadata: JSONObject([("source", "webhook-subscriptions"), ("action", "test")]))
        let row = try database.queryRow(
            "INSERT INTO outbox (topic, payload, idempotency_key, subscription_id, event_id) VALUES ('webhook', ?, ?, ?, ?) RETURNING id",
            [.text(event.payload(id: id, at: now)), .text(id + ":" + subscription.id), .text(subscription.id), .text(id)])
        return row?[0].integer ?? 0
    }

    /// The message's latest attempt, once there is one.
    public func latestAttempt(ofMessage messageID: Int64) throws -> DeliveryAttempt? {
        try database.queryRow(
            "SELECT \(DeliveryAttempt.columns) FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.outbox_id = ? ORDER BY d.id DESC LIMIT 1",
            [.integer(messageID)]
        ).map(DeliveryAttempt.init)
    }

    /// Puts the message of one delivery back in the queue, due now, with a fresh set of
    /// attempts (a message that ran out of them, or one to send again). Nil when that
    /// delivery is not this subscription's.
    public func retry(delivery: Int64, of subscriptionID: String) throws -> Int64? {
        guard let message = try database.queryRow(
            "SELECT outbox_id FROM webhook_deliveries WHERE id = ? AND subscription_id = ?", [.integer(delivery), .text(subscriptionID)])?[0].integer
        else { return nil }
        _ = try database.run(
            """
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = \(database.dialect.now), lease_owner = NULL, lease_until = NULL
            WHERE id = ?
            """, [.integer(message)])
        return message
    }

    private func seal(_ secret: SigningSecret, id: String) -> [UInt8] {
        SecretBox.seal(Array(secret.text.utf8), key: key, context: "webhook-secret:" + id)
    }

    static func eventsJSON(_ events: [String]) -> String { JSONValue.array(events.map { .string($0) }).jsonText }
}
