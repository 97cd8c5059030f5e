/// A failed store call: which backend said what, and the SQL that was running, so a log line
/// says what failed and where.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code; 0 for PostgreSQL.
    public let code: Int32
    /// PostgreSQL's five-character SQLSTATE (`23505`, `08006`); nil for SQLite.
    public let sqlState: String?
    public let message: String
    public let sql: String?
    /// The statement was part of a savepoint whose end was left to travel with `COMMIT` (see
    /// `Database.savepoint(named:endingWithCommit:)`): the failure came too late to undo that
    /// savepoint alone.
    var inSavepointEndedWithCommit = false

    public init(code: Int32, message: String, sql: String?) {
        self.init(code: code, sqlState: nil, message: message, sql: sql)
    }

    init(code: Int32 = 0, sqlState: String?, message: String, sql: String?) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    public var description: String {
        let origin = sqlState.map { "PostgreSQL error \($0)" } ?? "SQLite error \(code)"
        return sql.map { "\(origin): \(message) (in: \($0))" } ?? "\(origin): \(message)"
    }

    /// Other writers held what this call needed for longer than it may wait: SQLite's busy
    /// timeout, or PostgreSQL's lock timeout, a deadlock or a serialization failure.
    public var isBusy: Bool {
        if let sqlState { return ["55P03", "40P01", "40001"].contains(sqlState) }
        return code & 0xFF == 5 || code & 0xFF == 6
    }

    /// The same error with `context` before its message (which migration, which step).
    func prefixed(_ context: String) -> StoreError {
        StoreError(code: code, sqlState: sqlState, message: "\(context): \(message)", sql: sql)
    }
}
