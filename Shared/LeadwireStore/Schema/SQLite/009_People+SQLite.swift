extension Schema.SQLite {
    /// The people of `leads_master` as the original export guide's users: consent per channel, recorded and
    /// withdrawn through the admin API (every change a row: who, when, from where), and the
    /// erasure audit, which says who erased which person and how many rows, never the data.
    static let people = """
        CREATE TABLE consents (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            lead_id     INTEGER NOT NULL REFERENCES leads_master (id),
            channel     TEXT NOT NULL,
            granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
            source      TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        CREATE INDEX idx_consents_lead ON consents (lead_id, channel, id);

        CREATE TABLE erasures (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            lead_id   INTEGER NOT NULL,
            erased_by TEXT NOT NULL,
            reason    TEXT,
            counts    TEXT NOT NULL,
            erased_at TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        """
}
