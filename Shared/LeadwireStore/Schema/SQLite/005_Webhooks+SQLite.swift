extension Schema.SQLite {
    /// Outbound webhooks (seed 004's subscriptions), and leases on the outbox so that several
    /// workers can share it. Each event is fanned out into one outbox message per subscription
    /// when it is written; `webhook_deliveries` keeps every attempt to deliver one.
    static let webhooks = """
        CREATE TABLE webhook_subscriptions (
            id                   TEXT PRIMARY KEY,
            name                 TEXT NOT NULL,
            url                  TEXT NOT NULL,
            events               TEXT NOT NULL,
            description          TEXT,
            secret_sealed        BLOB NOT NULL,
            previous_secret_sealed BLOB,
            previous_secret_until TEXT,
            retry_attempts       INTEGER NOT NULL DEFAULT 3,
            retry_delay          INTEGER NOT NULL DEFAULT 60,
            timeout_ms           INTEGER NOT NULL DEFAULT 10000,
            active               INTEGER NOT NULL DEFAULT 1,
            disabled_reason      TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            success_count        INTEGER NOT NULL DEFAULT 0,
            failed_count         INTEGER NOT NULL DEFAULT 0,
            last_delivery_status TEXT,
            last_delivery_at     TEXT,
            created_by           TEXT,
            created_at           TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            updated_at           TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        ALTER TABLE outbox ADD COLUMN subscription_id TEXT REFERENCES webhook_subscriptions (id) ON DELETE CASCADE;
        ALTER TABLE outbox ADD COLUMN event_id TEXT;
        ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
        ALTER TABLE outbox ADD COLUMN lease_until TEXT;
        CREATE INDEX idx_outbox_subscription ON outbox (subscription_id, id);
        CREATE TABLE webhook_deliveries (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            outbox_id        INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
            subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
            event_id         TEXT NOT NULL,
            event_type       TEXT NOT NULL,
            attempt          INTEGER NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ('success', 'failed')),
            http_status      INTEGER,
            response_excerpt TEXT,
            error            TEXT,
            duration_ms      INTEGER NOT NULL,
            created_at       TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        CREATE INDEX idx_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
        """
}
