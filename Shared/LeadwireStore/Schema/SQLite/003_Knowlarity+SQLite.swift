extension Schema.SQLite {
    /// Seed 003: `sources`, `leads_master` and `lead_sources_history` with the columns the seed
    /// reads and writes, plus every Knowlarity call in `knowlarity_calls` (idempotent on its uuid).
    ///
    /// `sources.todays_leads_count` counts leads for the local date in `todays_date` (in the
    /// configured time zone); the counter restarts when a lead arrives on a later date. A reader
    /// compares `todays_date` with its own local date: an older date means 0 today.
    static let knowlarity = """
        CREATE TABLE sources (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            display_name       TEXT NOT NULL,
            source_type        TEXT NOT NULL,
            total_leads_count  INTEGER NOT NULL DEFAULT 0,
            todays_leads_count INTEGER NOT NULL DEFAULT 0,
            todays_date        TEXT,
            created_at         TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            updated_at         TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            UNIQUE (display_name, source_type)
        );

        CREATE TABLE leads_master (
            id                      INTEGER PRIMARY KEY AUTOINCREMENT,
            full_name               TEXT,
            phone_number_normalized TEXT NOT NULL,
            source_id               INTEGER NOT NULL REFERENCES sources (id),
            external_lead_id        TEXT,
            status                  TEXT NOT NULL DEFAULT 'New',
            raw_payload             TEXT,
            is_qualified            INTEGER NOT NULL DEFAULT 0,
            total_attempts          INTEGER NOT NULL DEFAULT 0,
            created_at              TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            updated_at              TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        CREATE INDEX idx_leads_master_phone ON leads_master (phone_number_normalized);
        CREATE INDEX idx_leads_master_source ON leads_master (source_id, created_at);

        CREATE TABLE lead_sources_history (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            lead_id      INTEGER NOT NULL REFERENCES leads_master (id),
            source_id    INTEGER NOT NULL REFERENCES sources (id),
            external_id  TEXT,
            raw_payload  TEXT,
            received_at  TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            is_primary   INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX idx_lead_sources_history_lead ON lead_sources_history (lead_id, source_id);

        CREATE TABLE knowlarity_calls (
            id                         INTEGER PRIMARY KEY AUTOINCREMENT,
            call_uuid                  TEXT NOT NULL UNIQUE,
            customer_number            TEXT,
            phone_number_normalized    TEXT,
            agent_number               TEXT,
            knowlarity_number          TEXT,
            business_call_type         TEXT,
            call_type                  TEXT,
            start_time                 TEXT,
            started_at                 TEXT,
            end_time                   TEXT,
            call_duration_seconds      INTEGER,
            recording_url              TEXT,
            lead_id                    INTEGER REFERENCES leads_master (id),
            lead_outcome               TEXT CHECK (lead_outcome IN ('new_lead', 'same_source_repeat', 'cross_source_repeat')),
            raw_payload                TEXT NOT NULL,
            received_at                TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        CREATE INDEX idx_knowlarity_calls_phone ON knowlarity_calls (phone_number_normalized, started_at);

        """
}
