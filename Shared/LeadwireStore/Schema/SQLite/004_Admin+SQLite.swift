extension Schema.SQLite {
    /// Admin: API keys (hashed), the export audit (seed 004's DataExport), export consent on
    /// leads, and one ordered view over every inbound log.
    ///
    /// `log_seq` numbers log rows across both log tables in commit order. Writers hold SQLite's
    /// single write lock while they insert, so a counter bumped by a trigger in the same
    /// transaction is strictly increasing in the order rows become visible. That makes
    /// "everything older than seq N" a cursor that never skips or repeats a row, however many
    /// rows arrive while someone pages. Timestamps cannot promise that (two processes can commit
    /// out of clock order within a millisecond).
    static let admin = """
        CREATE TABLE api_keys (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            name         TEXT NOT NULL UNIQUE,
            key_prefix   TEXT NOT NULL,
            key_sha256   TEXT NOT NULL UNIQUE,
            scopes       TEXT NOT NULL,
            created_at   TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            revoked_at   TEXT
        );

        CREATE TABLE data_exports (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            key_name     TEXT NOT NULL,
            dataset      TEXT NOT NULL,
            format       TEXT NOT NULL,
            filters      TEXT NOT NULL,
            fields       TEXT,
            row_count    INTEGER,
            byte_count   INTEGER,
            sha256       TEXT,
            completed    INTEGER NOT NULL DEFAULT 0,
            started_at   TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            finished_at  TEXT
        );

        -- Seed 004's export consent, for `exportConsentOnly=true` on the people datasets.
        ALTER TABLE leads_master ADD COLUMN export_consent_given INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE leads_master ADD COLUMN export_consent_at TEXT;

        CREATE TABLE log_sequence (value INTEGER NOT NULL);
        INSERT INTO log_sequence (value) VALUES (0);

        ALTER TABLE kommo_webhook_logs ADD COLUMN log_seq INTEGER;
        ALTER TABLE webhook_logs ADD COLUMN log_seq INTEGER;
        -- Rows from before this migration, numbered in their time order.
        UPDATE kommo_webhook_logs SET log_seq = (SELECT count(*) FROM kommo_webhook_logs AS earlier WHERE earlier.rowid <= kommo_webhook_logs.rowid);
        UPDATE webhook_logs SET log_seq = (SELECT count(*) FROM kommo_webhook_logs) + (SELECT count(*) FROM webhook_logs AS earlier WHERE earlier.id <= webhook_logs.id);
        UPDATE log_sequence SET value = (SELECT count(*) FROM kommo_webhook_logs) + (SELECT count(*) FROM webhook_logs);
        CREATE UNIQUE INDEX kommo_webhook_logs_log_seq ON kommo_webhook_logs (log_seq);
        CREATE UNIQUE INDEX webhook_logs_log_seq ON webhook_logs (log_seq);

        CREATE TRIGGER kommo_webhook_logs_number AFTER INSERT ON kommo_webhook_logs BEGIN
            UPDATE log_sequence SET value = value + 1;
            UPDATE kommo_webhook_logs SET log_seq = (SELECT value FROM log_sequence) WHERE rowid = NEW.rowid;
        END;
        CREATE TRIGGER webhook_logs_number AFTER INSERT ON webhook_logs BEGIN
            UPDATE log_sequence SET value = value + 1;
            UPDATE webhook_logs SET log_seq = (SELECT value FROM log_sequence) WHERE id = NEW.id;
        END;

        -- Every inbound log in one shape. `log_id` is `<source>:<id>`, stable and unique.
        CREATE VIEW inbound_logs AS
        SELECT log_seq, 'kommo' AS source, 'kommo:' || id AS log_id, created_at AS received_at, event_type,
               status, NULL AS routing_decision, NULL AS pipeline_id, NULL AS lead_id, NULL AS utm_source,
               NULL AS utm_campaign, error_message, payload, results, raw_body, content_type
        FROM kommo_webhook_logs
        UNION ALL
        SELECT log_seq, source, source || ':' || id, received_at, NULL,
               processing_status, routing_decision, pipeline_id, lead_id, utm_source,
               utm_campaign, error_message, deal_data, NULL, NULL, NULL
        FROM webhook_logs;
        """
}
