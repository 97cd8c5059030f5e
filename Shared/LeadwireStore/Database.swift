import CSQLite

/// One connection to the SQLite store, opened for one request (CGI) or one long-lived process.
///
/// Opening sets what many concurrent writer processes need: WAL (readers never block the
/// writer), a fair busy handler (writers queue instead of failing, see `BusyWait`), and
/// foreign keys. Writes go through `transaction(_:)`, which takes the write lock up front
/// (`BEGIN IMMEDIATE`) so two processes never deadlock upgrading a read lock. Statements are
/// prepared once per connection and kept, which matters to a process that answers many requests.
public final class Database {
    private let handle: OpaquePointer
    private let busyWait: BusyWait
    private var statements: [String: Statement] = [:]
    /// Statements kept at most; SQL built from filters varies, so the cache is bounded.
    static let statementCacheLimit = 128

    /// Opens (creating if needed) the database file and brings its schema up to date.
    public convenience init(
        path: String, busyTimeoutMilliseconds: Int32 = 5000, durability: StoreSettings.Durability = .full
    ) throws(SQLiteError) {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, durability: durability, migrations: Schema.migrations)
    }

    init(path: String, busyTimeoutMilliseconds: Int32, durability: StoreSettings.Durability = .full, migrations: [Migration]) throws(SQLiteError) {
        var pointer: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &pointer, flags, nil)
        guard result == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(pointer)
            throw SQLiteError(code: result, message: "\(message): \(path)", sql: nil)
        }
        handle = pointer
        busyWait = BusyWait(timeout: .milliseconds(busyTimeoutMilliseconds))
        busyWait.install(on: handle)
        sqlite3_extended_result_codes(handle, 1)
        keepWriteAheadLogBetweenProcesses()
        try execute("PRAGMA foreign_keys = ON")
        // Said explicitly: a distribution may build SQLite with another default.
        try execute("PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        // Switching to WAL takes an exclusive lock once per file; afterwards this is a cheap no-op.
        if try scalarText("PRAGMA journal_mode") != "wal" {
            try execute("PRAGMA journal_mode = WAL")
        }
        try Migrator(migrations).apply(to: self)
    }

    deinit {
        statements.removeAll()
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
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// The rows a query returns, each as its column values in order.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> [Row] {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// The first row of a query, or nil when it returns none.
    public func queryRow(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> Row? {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        return try statement.step() ? statement.row() : nil
    }

    func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        try queryRow(sql)?[0].text
    }

    /// `sql` prepared and bound, for one use that the caller ends with `finishUse()`, so no
    /// statement is left holding a read snapshot open between uses. A kept statement is
    /// reused; one in use further up the stack (a query nested in itself) is prepared afresh.
    func acquire(_ sql: String, _ parameters: [SQLValue]) throws(SQLiteError) -> Statement {
        let statement: Statement
        if let kept = statements[sql], !kept.inUse {
            statement = kept
        } else {
            statement = try prepare(sql, persistent: true)
            if statements[sql] == nil {
                if statements.count >= Self.statementCacheLimit { statements.removeAll() }
                statements[sql] = statement
            }
        }
        statement.inUse = true
        do {
            try statement.bind(parameters)
        } catch {
            statement.finishUse()
            throw error
        }
        return statement
    }

    func prepare(_ sql: String, persistent: Bool = false) throws(SQLiteError) -> Statement {
        var pointer: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &pointer, nil)
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
    /// With a `deadline`, waiting for the lock stops there, and work that ends after it is
    /// rolled back rather than committed late (`DeadlinePassed`).
    public func transaction<T>(deadline: ContinuousClock.Instant? = nil, _ body: () throws -> T) throws -> T {
        busyWait.deadline = deadline
        defer { busyWait.deadline = nil }
        try run("BEGIN IMMEDIATE")
        do {
            let value = try body()
            if let deadline, ContinuousClock.now > deadline { throw DeadlinePassed() }
            try run("COMMIT")
            return value
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a savepoint of the current transaction: if it throws, only its own
    /// changes are undone and the error is rethrown. This is how a webhook keeps its raw event
    /// while discarding a half-done attempt to process it.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try run("SAVEPOINT work")
        do {
            let value = try body()
            try run("RELEASE work")
            return value
        } catch {
            _ = try? run("ROLLBACK TO work")
            _ = try? run("RELEASE work")
            throw error
        }
    }
}

/// A transaction's work finished after its deadline and was rolled back.
public struct DeadlinePassed: Error, CustomStringConvertible {
    public var description: String { "the transaction's deadline passed before it could commit; it was rolled back" }
}
