/// Every table of the store, as an ordered list of migrations per backend, kept side by side:
/// `SQLite/` and `PostgreSQL/` hold the same tables and columns, with the names seed documents'
/// users already query. All functions share one database, so one list serves them all.
///
/// Times are UTC ISO 8601 (`2026-11-22T19:58:20.123Z`): text on SQLite, which sorts and
/// compares as text; `timestamptz(3)` on PostgreSQL, read back in the same text form. JSON is
/// text on SQLite (read with json_extract) and `jsonb` on PostgreSQL where it is always JSON.
enum Schema {
    enum SQLite {}
    enum Postgres {}

    /// Each step once, for both backends, so the two lists keep the same names in the same order.
    private static let steps: [(name: String, sqlite: String, postgres: String)] = [
        ("001_kommo", SQLite.kommo, Postgres.kommo),
        ("002_amocrm", SQLite.amocrm, Postgres.amocrm),
        ("003_knowlarity", SQLite.knowlarity, Postgres.knowlarity),
        ("004_admin", SQLite.admin, Postgres.admin),
        ("005_webhooks", SQLite.webhooks, Postgres.webhooks),
        ("006_intake_controls", SQLite.intakeControls, Postgres.intakeControls),
        ("007_kommo_oauth", SQLite.kommoOAuth, Postgres.kommoOAuth),
        ("008_call_updates", SQLite.callUpdates, Postgres.callUpdates),
        ("009_people", SQLite.people, Postgres.people),
        ("010_processing_time", SQLite.processingTime, Postgres.processingTime),
        ("011_dashboard_indexes", SQLite.dashboardIndexes, Postgres.dashboardIndexes),
        ("012_alerts", SQLite.alerts, Postgres.alerts),
        ("013_intake_totals", SQLite.intakeTotals, Postgres.intakeTotals),
    ]

    static let sqlite = steps.map { Migration(name: $0.name, sql: $0.sqlite) }
    static let postgres = steps.map { Migration(name: $0.name, sql: $0.postgres) }
}

/// How the store writes times: UTC ISO 8601 with milliseconds, which sorts and compares as text.
enum StoreTime {
    /// SQLite's "now" in that format, for its schema's defaults.
    static let sqliteNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
}
