/// Work for the worker: a message to deliver after the response (a Telegram notice, an outbound
/// webhook, a reply to a CRM). Enqueued in the same transaction as the event that caused it, so
/// it exists exactly when the event does.
public enum Outbox {
    /// Adds a message unless one with the same idempotency key exists; returns whether it was added.
    public static func enqueueIfNew(topic: String, payload: String, idempotencyKey: String, in database: Database) throws(StoreError) -> Bool {
        try database.run(insert, [.text(topic), .text(payload), .text(idempotencyKey)]) == 1
    }

    /// Adds a message unless one with the same idempotency key exists, with the transaction's
    /// next statement (see `Database.write`) when nothing waits for the answer.
    public static func enqueue(topic: String, payload: String, idempotencyKey: String, in database: Database) throws(StoreError) {
        try database.write(insert, [.text(topic), .text(payload), .text(idempotencyKey)])
    }

    private static let insert = "INSERT INTO outbox (topic, payload, idempotency_key) VALUES (?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING"
}
