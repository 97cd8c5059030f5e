extension Schema.SQLite {
    /// Requests per sender and function in the current minute, shared by every process that
    /// writes this store (`LEADWIRE_<FUNCTION>_RATE_LIMIT`); and how far each polling backup
    /// has read its provider's log (`runtime poll knowlarity`).
    static let intakeControls = """
        CREATE TABLE sender_rate_limits (
            function     TEXT NOT NULL,
            address      TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            count        INTEGER NOT NULL,
            PRIMARY KEY (function, address)
        ) WITHOUT ROWID;
        CREATE TABLE poll_cursors (
            name         TEXT PRIMARY KEY,
            polled_until TEXT NOT NULL,
            updated_at   TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        """
}
