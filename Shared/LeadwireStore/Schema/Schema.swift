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

    static let sqlite: [Migration] = [
        Migration(name: "001_kommo", sql: SQLite.kommo),
        Migration(name: "002_amocrm", sql: SQLite.amocrm),
        Migration(name: "003_knowlarity", sql: SQLite.knowlarity),
        Migration(name: "004_admin", sql: SQLite.admin),
        Migration(name: "005_webhooks", sql: SQLite.webhooks),
        Migration(name: "006_intake_controls", sql: SQLite.intakeControls),
        Migration(name: "007_kommo_oauth", sql: SQLite.kommoOAuth),
    ]

    static let postgres: [Migration] = [
        Migration(name: "001_kommo", sql: Postgres.kommo),
        Migration(name: "002_amocrm", sql: Postgres.amocrm),
        Migration(name: "003_knowlarity", sql: Postgres.knowlarity),
        Migration(name: "004_admin", sql: Postgres.admin),
        Migration(name: "005_webhooks", sql: Postgres.webhooks),
        Migration(name: "006_intake_controls", sql: Postgres.intakeControls),
        Migration(name: "007_kommo_oauth", sql: Postgres.kommoOAuth),
    ]
}

/// How the store writes times: UTC ISO 8601 with milliseconds, which sorts and compares as text.
public enum StoreTime {
    /// SQLite's "now" in that format, for its schema's defaults.
    static let sqliteNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
}
