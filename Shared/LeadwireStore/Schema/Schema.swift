/// Every table of the store, as an ordered list of migrations. All functions share one file, so
/// one list serves them all; table and column names are the ones seed documents' users
/// already query.
///
/// Times are UTC ISO 8601 text (`2026-11-22T19:58:20.123Z`), which sorts and compares as text.
/// JSON is stored as text, queryable with SQLite's json_extract.
enum Schema {
    static let migrations: [Migration] = [
        Migration(name: "001_kommo", sql: kommo),
        Migration(name: "002_amocrm", sql: amocrm),
        Migration(name: "003_knowlarity", sql: knowlarity),
        Migration(name: "004_admin", sql: admin),
        Migration(name: "005_webhooks", sql: webhooks),
        Migration(name: "006_intake_controls", sql: intakeControls),
        Migration(name: "007_kommo_oauth", sql: kommoOAuth),
    ]

}

/// How the store writes times: UTC ISO 8601 with milliseconds, which sorts and compares as text.
public enum StoreTime {
    /// SQL for "now" in that format, for defaults and UPDATEs.
    public static let nowSQL = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
}
