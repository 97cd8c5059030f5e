extension Schema.SQLite {
    /// Running totals of the intake logs for `/metrics`: requests per source, status and
    /// processing time (ms, -1 for rows without one), brought up to date from the log rows past
    /// `intake_totals_mark.log_seq` at each scrape, so a scrape reads only what arrived since the
    /// last one, and the counters never go back when old log rows are removed.
    static let intakeTotals = """
        CREATE TABLE intake_totals (
            source        TEXT NOT NULL,
            status        TEXT NOT NULL,
            processing_ms INTEGER NOT NULL,
            requests      INTEGER NOT NULL,
            PRIMARY KEY (source, status, processing_ms)
        ) WITHOUT ROWID;
        CREATE TABLE intake_totals_mark (log_seq INTEGER NOT NULL);
        INSERT INTO intake_totals_mark (log_seq) VALUES (0);
        """
}
