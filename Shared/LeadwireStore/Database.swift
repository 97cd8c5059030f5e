public import LeadwireCore

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
public final class Database: GroupCommitting, RoundTripCounting {
    public let dialect: SQLDialect
    let connection: any StoreConnection
    /// Group commit (see `beginGroup`): whether a group is open, and whether its transaction
    /// has begun (at its first write transaction, so a group of reads takes no lock).
    private var group = (open: false, began: false)

    /// Opens the SQLite file at `path` (creating it if needed) and brings its schema up to date.
    public convenience init(
        path: String, busyTimeoutMilliseconds: Int32 = 5000, durability: StoreSettings.Durability = .full
    ) throws(StoreError) {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, durability: durability, migrations: Schema.sqlite)
    }

    init(
        path: String, busyTimeoutMilliseconds: Int32, durability: StoreSettings.Durability = .full,
        lifetime: StoreSettings.ProcessLifetime = .manyRequests, migrations: [Migration]
    ) throws(StoreError) {
        dialect = .sqlite
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, durability: durability, lifetime: lifetime)
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

    /// Runs a write whose changed-row count the caller does not need. On PostgreSQL inside a
    /// transaction it is held back and sent with the next statement that needs an answer (at
    /// the latest `COMMIT`), in the same round trip; a failure of it is thrown there.
    public func write(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) {
        try connection.write(sql, parameters)
    }

    /// A query whose rows are read later, with `decode` made of them: on PostgreSQL inside a
    /// transaction it travels with the statements that follow it (see `Prefetched`).
    public func prefetch<Value>(_ sql: String, _ parameters: [SQLValue] = [], decode: @escaping ([Row]) -> Value) throws(StoreError)
        -> Prefetched<Value>
    {
        let connection = connection
        let prefetched = Prefetched(decode: decode) { () throws(StoreError) in try connection.flush() }
        try connection.prefetch(sql, parameters, answer: prefetched.deliver)
        return prefetched
    }

    /// Round trips to the PostgreSQL server since the store was opened; always 0 on SQLite.
    public var roundTrips: Int { connection.roundTrips }

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
    /// Inside a group, the body runs in a savepoint of the group's transaction instead, and is
    /// committed with the group.
    public func transaction<T>(deadline: ContinuousClock.Instant? = nil, _ body: () throws -> T) throws -> T {
        if group.open { return try groupMember(deadline: deadline, body) }
        try connection.begin(deadline: deadline)
        do {
            let value = try body()
            if let deadline, ContinuousClock.now > deadline { throw DeadlinePassed() }
            try connection.commit()
            return value
        } catch let error as StoreError where error.inSavepointEndedWithCommit {
            connection.rollback()
            throw SavepointFailedAtCommit(cause: error)
        } catch {
            connection.rollback()
            throw error
        }
    }

    /// Runs `body` inside a savepoint of the current transaction: if it throws, only its own
    /// changes are undone and the error is rethrown. This is how a webhook keeps its raw event
    /// while discarding a half-done attempt to process it.
    ///
    /// On PostgreSQL the end of a savepoint is a round trip of its own: the body's held-back
    /// writes must be known to have worked before the transaction goes on. `endingWithCommit`
    /// leaves them to travel with the next statement that needs an answer, at the latest
    /// `COMMIT`, and saves that round trip. A failure among them then fails the whole
    /// transaction, which `transaction` throws as `SavepointFailedAtCommit`; the caller redoes
    /// what must be kept without the savepoint's work. SQLite runs every write at once, so
    /// there a failure is thrown from the body as always.
    public func savepoint<T>(named name: String = "work", endingWithCommit: Bool = false, _ body: () throws -> T) throws -> T {
        try connection.write("SAVEPOINT \(name)", [])
        do {
            let value = try body()
            try connection.write("RELEASE SAVEPOINT \(name)", [])
            if endingWithCommit {
                connection.leaveSavepointEndToCommit("SAVEPOINT \(name)")
            } else {
                try connection.flush()  // a held-back write of the body fails here, inside the savepoint
            }
            return value
        } catch {
            try? connection.flush()  // held-back writes run first, then the rollback undoes them
            try? connection.write("ROLLBACK TO SAVEPOINT \(name)", [])
            try? connection.write("RELEASE SAVEPOINT \(name)", [])
            throw error
        }
    }

    // MARK: Group commit

    /// Opens a group: the write transactions that follow share one transaction, begun by the
    /// first of them, each in its own savepoint, until `commitGroup`. On SQLite only: its one
    /// writer at a time means a group waits for no one once it holds the lock. On PostgreSQL,
    /// where writers run side by side, a group holding one request's row locks while it
    /// takes the next request's could deadlock with another process's group, so each request
    /// keeps its own transaction there.
    public func beginGroup() {
        guard dialect == .sqlite else { return }
        group = (open: true, began: false)
    }

    /// Commits what the group wrote (nothing to do when it only read). Throws when it could not
    /// commit: then nothing the group wrote was kept.
    public func commitGroup() throws {
        let began = group.began
        group = (open: false, began: false)
        guard began else { return }
        guard connection.inTransaction else { throw GroupTransactionLost() }
        do {
            try connection.commit()
        } catch {
            connection.rollback()
            throw error
        }
    }

    /// One request's write transaction inside the group: a savepoint, begun after the group's
    /// transaction is. Work that ends after its deadline is undone, alone, like a late commit.
    private func groupMember<T>(deadline: ContinuousClock.Instant?, _ body: () throws -> T) throws -> T {
        if !group.began {
            try connection.begin(deadline: deadline)
            group.began = true
        }
        // A failure that ended the whole transaction (SQLite rolls back on a full disk, for
        // one) took the group's earlier writes with it: the group fails at its commit, and
        // nothing more is written outside it meanwhile.
        guard connection.inTransaction else { throw GroupTransactionLost() }
        return try savepoint(named: "grouped_request") {
            let value = try body()
            if let deadline, ContinuousClock.now > deadline { throw DeadlinePassed() }
            return value
        }
    }

    /// Makes the current transaction the only one working on `key` until it ends: for a write
    /// that reads first and decides from what it read (is there a lead with this phone?).
    /// SQLite's write lock already serializes every writer; PostgreSQL takes a transaction
    /// advisory lock on the 64-bit hash of the key and the schema (installations in two schemas
    /// of one database do not wait for each other).
    public func serialize(on key: String) throws(StoreError) {
        guard dialect == .postgres else { return }
        try write("SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), '') || ':' || ?, 0))", [.text(key)])
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
    /// Whether a transaction is open on the connection.
    var inTransaction: Bool { get }
    /// Runs a statement whose answer nobody waits for; it may be sent later (see `Database.write`).
    func write(_ sql: String, _ parameters: [SQLValue]) throws(StoreError)
    /// Runs a query whose rows `answer` takes, possibly later (see `Prefetched`).
    func prefetch(_ sql: String, _ parameters: [SQLValue], answer: @escaping (Result<[Row], StoreError>) -> Void) throws(StoreError)
    /// Sends what waits to be sent, and throws the first failure among it.
    func flush() throws(StoreError)
    /// Marks the statements held back since `savepoint` (the SQL that opened it; all of them if
    /// it was sent already) so that a failure among them says it came after the savepoint ended.
    func leaveSavepointEndToCommit(_ savepoint: String)
    var roundTrips: Int { get }
}

/// A group's transaction ended before its commit (a failure rolled all of it back).
public struct GroupTransactionLost: Error, CustomStringConvertible {
    public var description: String { "the group's transaction was rolled back by a failure before its commit; nothing it wrote was kept" }
}

/// A savepoint whose end was left to travel with `COMMIT` failed there, so the whole
/// transaction was rolled back; nothing of it was kept.
public struct SavepointFailedAtCommit: Error, CustomStringConvertible {
    /// The failure of the savepoint's statement.
    public let cause: StoreError
    public var description: String { cause.description }
}

/// A transaction's work finished after its deadline and was rolled back.
public struct DeadlinePassed: Error, CustomStringConvertible {
    public var description: String { "the transaction's deadline passed before it could commit; it was rolled back" }
}
