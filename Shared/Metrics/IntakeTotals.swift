import LeadwireStore

/// The running totals `/metrics` counts intake from (`intake_totals`): each scrape adds the log
/// rows numbered past the mark and moves the mark, so it reads what arrived since the last one
/// rather than every log row. `log_seq` numbers rows in commit order with no gaps, so no row
/// can appear later below the mark.
enum IntakeTotals {
    static func bringUpToDate(_ database: Database) throws {
        // Nothing new (the usual case between two scrapes): no write, no lock.
        let last = try database.queryRow("SELECT value FROM log_sequence")?[0].integer ?? 0
        let mark = try database.queryRow("SELECT log_seq FROM intake_totals_mark")?[0].integer ?? 0
        guard last > mark else { return }
        try database.transaction {
            // The mark read again as the writer (SQLite's BEGIN IMMEDIATE; PostgreSQL's row
            // lock), so two scrapes at once never add the same rows twice.
            let lock = database.dialect == .postgres ? " FOR UPDATE" : ""
            let mark = try database.queryRow("SELECT log_seq FROM intake_totals_mark" + lock)?[0].integer ?? 0
            let rows = try database.query(
                """
                SELECT source, status, coalesce(processing_ms, -1), count(*), max(log_seq) FROM inbound_logs
                WHERE log_seq > ? GROUP BY source, status, coalesce(processing_ms, -1)
                """, [.integer(mark)])
            guard let newMark = rows.compactMap({ $0[4].integer }).max() else { return }
            for row in rows {
                try database.run(
                    """
                    INSERT INTO intake_totals (source, status, processing_ms, requests) VALUES (?, ?, ?, ?)
                    ON CONFLICT (source, status, processing_ms) DO UPDATE SET requests = intake_totals.requests + excluded.requests
                    """, [row[0], row[1], row[2], row[3]])
            }
            try database.run("UPDATE intake_totals_mark SET log_seq = ?", [.integer(newMark)])
        }
    }
}
