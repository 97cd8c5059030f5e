import CSQLite

/// One connection to the SQLite store, opened for one request (CGI) or one long-lived process.
///
/// Opening sets what many concurrent writer processes need: WAL (readers never block the
/// writer), a busy timeout (writers queue instead of failing), and foreign keys. Writes go
/// through `transaction(_:)`, which takes the write lock up front (`BEGIN IMMEDIATE`) so two
/// processes never deadlock upgrading a read lock.
public final class Database {
    private let handle: OpaquePointer

    /// Opens (creating if needed) the database file and brings its schema up to date.
    public convenience init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, migrations: Schema.migrations)
    }

    init(path: String, busyTimeoutMilliseconds: Int32, migrations: [Migration]) throws(SQLiteError) {
        var pointer: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &pointer, flags, nil)
        guard result == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(pointer)
            throw SQLiteError(code: result, message: "\(message): \(path)", sql: nil)
        }
        handle = pointer
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(handle, 1)
        keepWriteAheadLogBetweenProcesses()
        try execute("PRAGMA foreign_keys = ON")
        // Switching to WAL takes an exclusive lock once per file; afterwards this is a cheap no-op.
        if try scalarText("PRAGMA journal_mode") != "wal" {
            try execute("PRAGMA journal_mode = WAL")
        }
        try Migrator(migrations).apply(to: self)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// With one process per request, every connection is the last one to close, and by default
    /// SQLite then copies the whole WAL into the database and deletes it: three extra fsyncs
    /// and two file deletions on every request. Instead the WAL stays, and is checkpointed as
    /// it grows (every 1000 pages, by whichever writer crosses the mark). Durability is
    /// unchanged: each commit is synced to the WAL before the function answers.
    private func keepWriteAheadLogBetweenProcesses() {
        sqlite3_db_config_int_pointer(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1)
        var persist: Int32 = 1
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
    }

    // MARK: Statements

    /// Runs one or more statements that take no parameters (schema changes, pragmas).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        guard result == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(message)
            throw SQLiteError(code: result, message: text, sql: sql)
        }
    }

    /// Runs a statement with bound parameters; returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> Int {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// The rows a query returns, each as its column values in order.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// The first row of a query, or nil when it returns none.
    public func queryRow(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> Row? {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        return try statement.step() ? statement.row() : nil
    }

    func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        try queryRow(sql)?[0].text
    }

    func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var pointer: OpaquePointer?
        let result = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
        guard result == SQLITE_OK, let pointer else {
            throw SQLiteError(code: result, message: lastErrorMessage, sql: sql)
        }
        return Statement(pointer, database: handle, sql: sql)
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The rowid of the last row this connection inserted.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    // MARK: Transactions

    /// Runs `body` in one write transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a savepoint of the current transaction: if it throws, only its own
    /// changes are undone and the error is rethrown. This is how a webhook keeps its raw event
    /// while discarding a half-done attempt to process it.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try execute("SAVEPOINT work")
        do {
            let value = try body()
            try execute("RELEASE work")
            return value
        } catch {
            try? execute("ROLLBACK TO work")
            try? execute("RELEASE work")
            throw error
        }
    }
}
