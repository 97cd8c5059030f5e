/// The few SQL fragments the two backends spell differently. Handlers build these into their
/// statements; everything else (upserts with `ON CONFLICT … WHERE`, `RETURNING`, savepoints,
/// `?` parameters) is written once for both.
public enum SQLDialect: Sendable, Equatable {
    case sqlite, postgres

    /// "Now" in the store's time form, for UPDATEs and INSERTs.
    public var now: String {
        switch self {
        case .sqlite: StoreTime.sqliteNow
        case .postgres: "now()"
        }
    }

    /// A parameter holding a store time, where nothing around it says its type (a VALUES list):
    /// PostgreSQL would take it as text, which does not compare with `timestamptz`.
    public var timeParameter: String {
        switch self {
        case .sqlite: "?"
        case .postgres: "CAST(? AS timestamptz)"
        }
    }

    /// For a SELECT that picks rows to claim: PostgreSQL locks the rows of `alias` it picks and
    /// skips rows another transaction holds (`FOR UPDATE … SKIP LOCKED`), so concurrent
    /// claimers never pick the same row. SQLite's single writer needs nothing.
    public func skipLockedRows(of alias: String) -> String {
        switch self {
        case .sqlite: ""
        case .postgres: "FOR UPDATE OF \(alias) SKIP LOCKED"
        }
    }

    /// True when `haystack` contains `needle` (both SQL expressions), case-sensitively.
    public func contains(_ haystack: String, _ needle: String) -> String {
        switch self {
        case .sqlite: "instr(\(haystack), \(needle)) > 0"
        case .postgres: "strpos(\(haystack), \(needle)) > 0"
        }
    }

    /// A table of the elements of the JSON array at `path` inside `json`, as `alias`, with
    /// each element in `alias.value` (a FROM item).
    public func jsonArrayElements(_ json: String, path: [String] = [], as alias: String) -> String {
        switch self {
        case .sqlite:
            path.isEmpty ? "json_each(\(json)) AS \(alias)" : "json_each(\(json), '$.\(path.joined(separator: "."))') AS \(alias)"
        case .postgres:
            "jsonb_array_elements(CASE WHEN jsonb_typeof(\(jsonb(json, path))) = 'array' THEN \(jsonb(json, path)) END) AS \(alias)(value)"
        }
    }

    /// The text of the JSON value at `path` (object keys, or array indexes as digits) inside
    /// `json`: a string as itself, a number or boolean as its JSON text. With no path, `json` is
    /// an element from `jsonArrayElements`, which SQLite already gives as SQL text.
    public func jsonText(_ json: String, _ path: [String]) -> String {
        switch self {
        case .sqlite:
            path.isEmpty ? json : "json_extract(\(json), '$" + path.map { $0.allSatisfy(\.isNumber) ? "[\($0)]" : ".\($0)" }.joined() + "')"
        case .postgres:
            "(\(jsonb(json, [])) #>> '{\(path.joined(separator: ","))}')"
        }
    }

    /// `json` as `jsonb` (a text column is cast), optionally at `path`.
    private func jsonb(_ json: String, _ path: [String]) -> String {
        path.isEmpty ? "(\(json))::jsonb" : "((\(json))::jsonb #> '{\(path.joined(separator: ","))}')"
    }
}
