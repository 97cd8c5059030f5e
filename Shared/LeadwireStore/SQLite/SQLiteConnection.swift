import CSQLite

/// A connection to the SQLite file.
///
/// Opening sets what many concurrent writer processes need: WAL (readers never block the
/// writer), a fair busy handler (writers queue instead of failing, see `BusyWait`), and
/// foreign keys. A write transaction takes the write lock up front (`BEGIN IMMEDIATE`) so two
/// processes never deadlock upgrading a read lock. Statements are prepared once per
/// connection and kept, which matters to a process that answers many requests.
final class SQLiteConnection: StoreConnection {
    let handle: OpaquePointer
    private let busyWait: BusyWait
    private let lifetime: StoreSettings.ProcessLifetime
    private var statements: [String: Statement] = [:]
    private let checkpointer: LogCheckpointer?
    /// Whether a commit syncs the log itself, after releasing the write lock (see `commit`).
    private var syncsLogAfterCommit = false
    /// Statements kept at most; SQL built from filters varies, so the cache is bounded.
    static let statementCacheLimit = 128

    init(
        path: String, busyTimeoutMilliseconds: Int32, durability: StoreSettings.Durability, lifetime: StoreSettings.ProcessLifetime
    ) throws(StoreError) {
        Self.libraryConfigured
        var pointer: OpaquePointer?
        PrivateFile.create(path)
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &pointer, flags, nil)
        guard result == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(pointer)
            throw StoreError(code: result, message: "\(message): \(path)", sql: nil)
        }
        handle = pointer
        busyWait = BusyWait(timeout: .milliseconds(busyTimeoutMilliseconds))
        self.lifetime = lifetime
        checkpointer = lifetime == .manyRequests ? LogCheckpointer.shared(path: path) : nil
        busyWait.install(on: handle)
        sqlite3_extended_result_codes(handle, 1)
        keepWriteAheadLogBetweenProcesses()
        checkpointAsTheLogGrows()
        try execute("PRAGMA foreign_keys = ON")
        // Said explicitly: a distribution may build SQLite with another default.
        try execute("PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        // Switching to WAL takes an exclusive lock once per file; afterwards this is a cheap no-op.
        var journalMode = try query("PRAGMA journal_mode", []).first?[0].text
        if journalMode != "wal" { journalMode = try query("PRAGMA journal_mode = WAL", []).first?[0].text }
        syncsLogAfterCommit = durability == .full && journalMode == "wal"
        if lifetime == .manyRequests { try execute("PRAGMA journal_size_limit = \(LogCheckpointer.keptLogBytes)") }
    }

    /// Bytes of a savepoint's undo record kept in memory before it moves to a temporary file.
    ///
    /// Every webhook runs in savepoints: one per request of a commit group, and one around its
    /// processing. Before a page changes inside a savepoint, SQLite keeps its old content so
    /// that the savepoint can be undone alone. By default it keeps 64 KiB in memory, and a
    /// group's records passed that: from then on, every page a request changed was also written
    /// to a temporary file, about as many writes as the log itself got. A request's record is
    /// about 50 KiB and is dropped when its savepoint ends, so 1 MiB keeps them in memory; a
    /// bigger one (a replay of many leads) still moves to a file, as before.
    static let statementJournalInMemoryBytes: Int32 = 1 << 20

    /// Process-wide settings of the SQLite library, made once, before the first connection
    /// opens (SQLite refuses them afterwards).
    private static let libraryConfigured: Void = {
        _ = csqlite_config_statement_journal_spill(statementJournalInMemoryBytes)
    }()

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// With one process per request, every connection is the last one to close, and by default
    /// SQLite then copies the whole WAL into the database and deletes it: three extra fsyncs
    /// and two file deletions on every request. Instead the WAL stays, and is checkpointed as
    /// it grows (`checkpointAsTheLogGrows`). Durability is unchanged: each commit is synced to
    /// the WAL before the function answers.
    private func keepWriteAheadLogBetweenProcesses() {
        sqlite3_db_config_int_pointer(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1)
        var persist: Int32 = 1
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
    }

    /// Log frames after which a process that answers one request empties the log. A start
    /// reads every frame of the log; a checkpoint costs a sync of the database file. About a
    /// dozen kommo-webhook requests fill 128 frames.
    static let oneRequestCheckpointFrames: Int32 = 128

    /// Replaces SQLite's automatic checkpoint, which suits neither kind of process.
    ///
    /// A process that stays leaves the copying to its `LogCheckpointer`, so that no commit
    /// waits for it.
    ///
    /// The log's index lives in shared memory, which remembers which frames were already copied,
    /// so after a checkpoint the next write starts the log over from its beginning. That memory
    /// lasts only while some process has the database open. A process that opens the database
    /// alone rebuilds the index by reading every frame of the log and counts none as copied. So
    /// with one process per request (CGI) the log never started over: it grew without end,
    /// every request past 1000 frames copied all of it again, and every start read all of it
    /// (a kommo-webhook cold start took 21 ms at 11 MB of log, against 9 ms at an empty one).
    /// A process that answers one request therefore empties the log (a TRUNCATE checkpoint)
    /// once it passes `oneRequestCheckpointFrames`, without waiting for readers: while another
    /// process reads, the frames are still copied, the log keeps its length, and the next
    /// request past the mark tries again.
    private func checkpointAsTheLogGrows() {
        sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                Unmanaged<SQLiteConnection>.fromOpaque(context!).takeUnretainedValue().logGrew(to: frames)
                return SQLITE_OK
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called after each commit with the number of frames in the log. A checkpoint that cannot
    /// finish is not an error: the commit is in the log either way.
    private func logGrew(to frames: Int32) {
        switch lifetime {
        case .manyRequests where frames >= LogCheckpointer.commitCopiesFrames:
            sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        case .manyRequests:
            checkpointer?.logGrew(to: frames)
        case .oneRequest where frames >= Self.oneRequestCheckpointFrames:
            sqlite3_busy_handler(handle, nil, nil)
            sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
            busyWait.install(on: handle)
        case .oneRequest:
            break
        }
    }

    // MARK: Statements

    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        guard result == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(message)
            throw StoreError(code: result, message: text, sql: sql)
        }
    }

    func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [Row] {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Steps once: the rest of the rows are never read.
    func firstRow(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Row? {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        return try statement.step() ? statement.row() : nil
    }

    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (borrowing RowCursor) throws -> Void) throws -> Int {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        let cursor = RowCursor(sqliteStatement: statement.pointer)
        var count = 0
        while try statement.step() {
            try body(cursor)
            count += 1
        }
        return count
    }

    /// `sql` prepared and bound, for one use that the caller ends with `finishUse()`, so no
    /// statement is left holding a read snapshot open between uses. A kept statement is
    /// reused; one in use further up the stack (a query nested in itself) is prepared afresh.
    private func acquire(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Statement {
        let statement: Statement
        if let kept = statements[sql], !kept.inUse {
            statement = kept
        } else {
            statement = try prepare(sql)
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

    private func prepare(_ sql: String) throws(StoreError) -> Statement {
        var pointer: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard result == SQLITE_OK, let pointer else {
            throw StoreError(code: result, message: lastErrorMessage, sql: sql)
        }
        return Statement(pointer, database: handle, sql: sql)
    }

    private var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    // MARK: Transactions

    func begin(deadline: ContinuousClock.Instant?) throws(StoreError) {
        busyWait.deadline = deadline
        do {
            if syncsLogAfterCommit { try execute("PRAGMA synchronous = NORMAL") }
            try execute("BEGIN IMMEDIATE")
        } catch {
            busyWait.deadline = nil
            if syncsLogAfterCommit { _ = try? execute("PRAGMA synchronous = FULL") }
            throw error
        }
    }

    /// With full durability, the commit is synced to disk before this returns, as SQLite's
    /// `synchronous = FULL` would, but after the write lock is released rather than while
    /// holding it: the transaction runs with `NORMAL`, then its log is synced here.
    ///
    /// Every process that writes the file (each function's, the worker) queues for that one
    /// lock. Holding it through a sync (about a millisecond and a half on a shared disk) kept
    /// all the others waiting as long; now they write while this one waits for the disk.
    /// What a caller is told is unchanged: a transaction that returned is on disk. What differs
    /// is that another process may read the rows before that sync ends; should power fail in
    /// that moment, the rows are gone and nobody was told they were kept, though a reader may
    /// have acted on them (the worker sent an event; its sender, never answered, sends it again).
    /// The log's frames are in order, so a later commit that reached the disk carries every
    /// earlier one with it.
    func commit() throws(StoreError) {
        defer { busyWait.deadline = nil }
        try execute("COMMIT")
        guard syncsLogAfterCommit else { return }
        try execute("PRAGMA synchronous = FULL")
        let result = csqlite_sync_write_ahead_log(handle)
        guard result == SQLITE_OK else {
            throw StoreError(
                code: result, message: "the commit is written, but syncing the write-ahead log to disk failed, so a power cut may undo it",
                sql: nil)
        }
    }

    func rollback() {
        busyWait.deadline = nil
        _ = try? execute("ROLLBACK")
        if syncsLogAfterCommit { _ = try? execute("PRAGMA synchronous = FULL") }
    }

    var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: Statements sent later: on SQLite, at once (nothing travels, so nothing waits)

    func write(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) {
        _ = try run(sql, parameters)
    }

    func prefetch(_ sql: String, _ parameters: [SQLValue], answer: @escaping (Result<[Row], StoreError>) -> Void) throws(StoreError) {
        answer(.success(try query(sql, parameters)))
    }

    func flush() {}

    func leaveSavepointEndToCommit(_ savepoint: String) {}

    var roundTrips: Int { 0 }
}
