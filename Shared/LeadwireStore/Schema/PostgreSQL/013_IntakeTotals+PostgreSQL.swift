extension Schema.Postgres {
    /// Running totals of the intake logs for `/metrics`. As SQLite's 013.
    static let intakeTotals = """
        CREATE TABLE intake_totals (
            source        text NOT NULL,
            status        text NOT NULL,
            processing_ms integer NOT NULL,
            requests      bigint NOT NULL,
            PRIMARY KEY (source, status, processing_ms)
        );
        CREATE TABLE intake_totals_mark (log_seq bigint NOT NULL);
        INSERT INTO intake_totals_mark (log_seq) VALUES (0);
        """
}
