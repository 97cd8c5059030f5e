/// One connection to the store, opened for one request (CGI) or kept by a long-lived process
/// (FastCGI, the worker). Handlers write their SQL once, with `?` parameters, and run it on
/// either backend: SQLite, the embedded default, or PostgreSQL when LEADWIRE_DATABASE_URL is
/// set. Where the two speak differently (JSON, "now", substring search), `dialect` gives the
/// fragment.
///
/// Writes go through `transaction(_:)`. On SQLite it takes the single write lock up front, so
/// writers queue. On PostgreSQL writers run side by side, so a write that reads before it
/// decides serializes itself where it must: with a unique key and `ON CONFLICT`, with a
/// conditional `UPDATE`, or with `serialize(on:)`.
public final class Database {
    public let dialect: SQLDialect
    let connection: any StoreConnection

    /// Opens the SQLite file at `path` (creating it if needed) and brings its schema up to date.
    public convenience init(
        path: String, busyTimeoutMilliseconds: Int32 = 5000, durability: StoreSettings.Durability = .full
    ) throws(StoreError) {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, durability: durability, migrations: Schema.sqlite)
    }

    init(path: String, busyTimeoutMilliseconds: Int32, durability: StoreSettings.Durability = .full, migrations: [Migration]) throws(StoreError) {
        dialect = .sqlite
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, durability: durability)
        try Migrator(migrations).apply(to: self)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:pass@host:5432/db`) and
    /// brings its schema up to date.
    public convenience init(postgresURL url: String, lockTimeoutMilliseconds: Int32 = 5000) throws(StoreError) {
        try self.init(postgresURL: url, lockTimeoutMilliseconds: lockTimeoutMilliseconds, migrations: Schema.postgres)
    }

    init(postgresURL url: String, lockTimeoutMilliseconds: Int32, migrations: [Migration]) throws(StoreError) {
        dialect = .postgres
        connection = try PostgresConnection(url: url, lockTimeoutMilliseconds: lockTimeoutMilliseconds)
        try Migrator(migrations).apply(to: self)
    }

    /// The schema version the database is at (the number of migrations applied).
    public func schemaVersion() throws(StoreError) -> Int64 {
        try Migrator(dialect == .sqlite ? Schema.sqlite : Schema.postgres).currentVersion(self)
    }

    // MARK: Statements

    /// Runs one or more statements that take no parameters (schema changes, settings).
    public func execute(_ sql: String) throws(StoreError) {
        try connection.execute(sql)
    }

    /// Runs a statement with bound parameters; returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> Int {
        try connection.run(sql, parameters)
    }

    /// The rows a query returns, each as its column values in order.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> [Row] {
        try connection.query(sql, parameters)
    }

    /// The first row of a query, or nil when it returns none.
    public func queryRow(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> Row? {
        try connection.firstRow(sql, parameters)
    }

    /// Runs a query and hands each row to `body` as it is read, in constant memory.
    /// Returns the number of rows.
    @discardableResult
    public func forEachRow(_ sql: String, _ parameters: [SQLValue] = [], _ body: (borrowing RowCursor) throws -> Void) throws -> Int {
        try connection.forEachRow(sql, parameters, body)
    }

    // MARK: Transactions

    /// Runs `body` in one write transaction: committed if it returns, rolled back if it throws.
    /// With a `deadline`, waiting for locks stops there, and work that ends after it is
    /// rolled back rather than committed late (`DeadlinePassed`).
    public func transaction<T>(deadline: ContinuousClock.Instant? = nil, _ body: () throws -> T) throws -> T {
        try connection.begin(deadline: deadline)
        do {
            let value = try body()
            if let deadline, ContinuousClock.now > deadline { throw DeadlinePassed() }
            try connection.commit()
            return value
        } catch {
            connection.rollback()
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
            try execute("RELEASE SAVEPOINT work")
            return value
        } catch {
            _ = try? execute("ROLLBACK TO SAVEPOINT work")
            _ = try? execute("RELEASE SAVEPOINT work")
            throw error
        }
    }

    /// Makes the current transaction the only one working on `key` until it ends: for a write
    /// that reads first and decides from what it read (is there a lead with this phone?).
    /// SQLite's write lock already serializes every writer; PostgreSQL takes a transaction
    /// advisory lock on the 64-bit hash of the key and the schema (installations in two schemas
    /// of one database do not wait for each other).
    public func serialize(on key: String) throws(StoreError) {
        guard dialect == .postgres else { return }
        try run("SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), '') || ':' || ?, 0))", [.text(key)])
    }
}

/// What a backend's connection does for `Database`.
protocol StoreConnection: AnyObject {
    func execute(_ sql: String) throws(StoreError)
    func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int
    func query(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [Row]
    func firstRow(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Row?
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (borrowing RowCursor) throws -> Void) throws -> Int
    /// Starts a write transaction whose lock waits end at `deadline`.
    func begin(deadline: ContinuousClock.Instant?) throws(StoreError)
    func commit() throws(StoreError)
    /// Undoes the open transaction; a connection that cannot is reset by its next use.
    func rollback()
}

/// A transaction's work finished after its deadline and was rolled back.
public struct DeadlinePassed: Error, CustomStringConvertible {
    public var description: String { "the transaction's deadline passed before it could commit; it was rolled back" }
}
