extension Schema.SQLite {
    /// Seed 000: `kommo_leads` and `kommo_webhook_logs`, with every documented column, plus the
    /// account (one store may serve several Kommo accounts), the lead's own modification time
    /// in Kommo (for order-safe updates) and the raw request (so nothing that arrived is lost).
    static let kommo = """
        CREATE TABLE kommo_leads (
            id                  TEXT PRIMARY KEY,
            kommo_id            INTEGER NOT NULL,
            name                TEXT,
            status_id           INTEGER,
            pipeline_id         INTEGER,
            responsible_user_id INTEGER,
            price               REAL,
            event_type          TEXT NOT NULL,
            is_deleted          INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
            raw_data            TEXT,
            created_at          TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            updated_at          TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            account_id          INTEGER NOT NULL DEFAULT 0,
            account_subdomain   TEXT,
            crm_updated_at      INTEGER,
            UNIQUE (account_id, kommo_id)
        );
        CREATE INDEX kommo_leads_kommo_id ON kommo_leads (kommo_id);
        CREATE INDEX kommo_leads_updated_at ON kommo_leads (updated_at);
        CREATE INDEX kommo_leads_pipeline_status ON kommo_leads (pipeline_id, status_id);

        CREATE TABLE kommo_webhook_logs (
            id                TEXT PRIMARY KEY,
            event_type        TEXT,
            payload           TEXT,
            results           TEXT,
            status            TEXT NOT NULL CHECK (status IN ('success', 'partial', 'error')),
            error_message     TEXT,
            created_at        TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            account_id        INTEGER,
            account_subdomain TEXT,
            content_type      TEXT,
            raw_body          TEXT,
            remote_addr       TEXT,
            processed_at      TEXT
        );
        CREATE INDEX kommo_webhook_logs_created_at ON kommo_webhook_logs (created_at);
        CREATE INDEX kommo_webhook_logs_status ON kommo_webhook_logs (status, created_at);
        """
}
