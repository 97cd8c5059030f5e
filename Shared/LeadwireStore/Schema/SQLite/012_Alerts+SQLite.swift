extension Schema.SQLite {
    /// Alerts the worker raised: one row per episode, open (no `resolved_at`) while its condition
    /// holds. The unique open row per rule and subject makes "raise once" hold across workers.
    static let alerts = """
        CREATE TABLE alerts (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            rule        TEXT NOT NULL,
            subject     TEXT NOT NULL,
            summary     TEXT NOT NULL,
            raised_at   TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            resolved_at TEXT
        );
        CREATE UNIQUE INDEX idx_alerts_open ON alerts (rule, subject) WHERE resolved_at IS NULL;
        """
}
