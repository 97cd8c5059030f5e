extension Schema.SQLite {
    /// Seed 001: `webhook_logs` with exactly its documented columns and indexes (one row per
    /// deal event; `source` tells amoCRM from other senders), the two sales tables, and the
    /// outbox that carries notifications to the worker.
    static let amocrm = """
        CREATE TABLE webhook_logs (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            received_at       TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            source            TEXT NOT NULL,
            pipeline_id       INTEGER,
            lead_id           INTEGER,
            deal_data         TEXT,
            utm_source        TEXT,
            utm_campaign      TEXT,
            routing_decision  TEXT CHECK (routing_decision IN ('referral', 'traffic', 'both', 'unknown')),
            processing_status TEXT NOT NULL CHECK (processing_status IN ('success', 'error', 'partial')),
            error_message     TEXT,
            processed_at      TEXT
        );
        CREATE INDEX idx_webhook_logs_received_at ON webhook_logs (received_at DESC);
        CREATE INDEX idx_webhook_logs_source ON webhook_logs (source);
        CREATE INDEX idx_webhook_logs_lead_id ON webhook_logs (lead_id);
        CREATE INDEX idx_webhook_logs_routing_decision ON webhook_logs (routing_decision);
        CREATE INDEX idx_webhook_logs_processing_status ON webhook_logs (processing_status);
        CREATE INDEX idx_webhook_logs_utm_source ON webhook_logs (utm_source);

        -- Traffic-team sales (the table the original amoCRM integration's Traffic Dashboard reads).
        CREATE TABLE all_sales_tracking (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            source          TEXT NOT NULL DEFAULT 'amocrm',
            account_id      INTEGER NOT NULL DEFAULT 0,
            lead_id         INTEGER NOT NULL,
            lead_name       TEXT,
            pipeline_id     INTEGER,
            status_id       INTEGER,
            amount          REAL,
            targetologist   TEXT NOT NULL,
            utm_source      TEXT,
            utm_medium      TEXT,
            utm_campaign    TEXT,
            utm_content     TEXT,
            utm_term        TEXT,
            routing_decision TEXT NOT NULL,
            sold_at         TEXT,
            created_at      TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            UNIQUE (account_id, lead_id)
        );
        CREATE INDEX idx_all_sales_tracking_targetologist ON all_sales_tracking (targetologist, sold_at);

        -- Referral-system conversions: utm_source ref_<code>.
        CREATE TABLE referral_sales (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id      INTEGER NOT NULL DEFAULT 0,
            lead_id         INTEGER NOT NULL,
            lead_name       TEXT,
            pipeline_id     INTEGER,
            status_id       INTEGER,
            amount          REAL,
            referral_code   TEXT NOT NULL,
            utm_source      TEXT,
            utm_medium      TEXT,
            utm_campaign    TEXT,
            utm_content     TEXT,
            utm_term        TEXT,
            routing_decision TEXT NOT NULL,
            sold_at         TEXT,
            created_at      TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            UNIQUE (account_id, lead_id)
        );
        CREATE INDEX idx_referral_sales_code ON referral_sales (referral_code, sold_at);

        -- Work for the worker: anything that talks to the outside after the response. Written in
        -- the same transaction as the event that caused it; delivered at least once, with the
        -- idempotency key as the receiver's deduplication id.
        CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            topic           TEXT NOT NULL,
            payload         TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            last_error      TEXT,
            created_at      TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            delivered_at    TEXT
        );
        CREATE INDEX idx_outbox_due ON outbox (status, next_attempt_at);
        """
}
