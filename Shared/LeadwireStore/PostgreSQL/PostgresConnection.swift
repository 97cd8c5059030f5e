import CPostgres

/// A connection to PostgreSQL through libpq: one per request in CGI mode, one per process in
/// FastCGI mode and in the worker.
///
/// The session speaks UTC and ISO dates, so times read back in the store's one text form
/// (`PostgresType`). Statements that run again are prepared once per connection and kept.
/// Parameters go as text and PostgreSQL infers their types from where they stand, so an ISO
/// time binds to a `timestamptz` column and `1` to a `boolean`; bytes go in binary.
///
/// A connection that broke (the server restarted, a proxy dropped it) is reset when it is next
/// used outside a transaction, so a long-lived process recovers by itself. Inside a
/// transaction it is not: the rest of the transaction would run without it, each statement
/// committed alone. There the request fails (SQLSTATE class 08) and its function answers 503.
///
/// Inside a transaction, statements whose answer nobody waits for (`BEGIN`, savepoints, `write`,
/// `prefetch`) are held back and sent with the next statement that needs its answer, or with
/// `COMMIT`, in one round trip (libpq's pipeline mode, `PostgresPipeline`).
final class PostgresConnection: StoreConnection {
    private let handle: OpaquePointer
    private let lockTimeoutMilliseconds: Int32
    /// Prepared statement names by SQL text, and the SQL run once so far (see `statement(for:)`).
    private var prepared: [String: String] = [:]
    private var ranOnce: Set<String> = []
    private var preparedCount = 0
    /// Between `begin` and `commit` or `rollback`.
    private var transactionOpen = false
    /// Whether any statement of the open transaction has reached the server.
    private var transactionSent = false
    /// Statements held back until the next one that needs its answer.
    private var pending: [PendingStatement] = []
    /// Round trips to the server so far: statements sent and answered, held-back ones counting
    /// with the one they travel with.
    private(set) var roundTrips = 0
    static let statementCacheLimit = 128

    init(url: String, lockTimeoutMilliseconds: Int32) throws(StoreError) {
        if let failure = LibPQ.loaded { throw failure }
        guard let handle = libpq.PQconnectdb(url) else {
            throw StoreError(sqlState: "08006", message: "cannot allocate a PostgreSQL connection", sql: nil)
        }
        guard libpq.PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(libpq.PQerrorMessage(handle))
            libpq.PQfinish(handle)
            throw StoreError(sqlState: "08006", message: "cannot connect to PostgreSQL: \(message)", sql: nil)
        }
        self.handle = handle
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        // From here a throw runs deinit, which closes the connection.
        try configureSession()
    }

    deinit {
        libpq.PQfinish(handle)
    }

    private func configureSession() throws(StoreError) {
        try execute(
            """
            SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = 'warning';
            SET lock_timeout = \(lockTimeoutMilliseconds)
            """)
    }

    /// Before a statement outside a transaction: a broken connection is reconnected (its
    /// prepared statements went with it).
    private func reconnectIfBroken() throws(StoreError) {
        guard libpq.PQstatus(handle) == CONNECTION_BAD else { return }
        guard !transactionSent else {
            throw StoreError(sqlState: "08006", message: "the connection to PostgreSQL was lost in a transaction; it was rolled back", sql: nil)
        }
        try reconnect()
    }

    private func reconnect() throws(StoreError) {
        libpq.PQreset(handle)
        prepared.removeAll()
        ranOnce.removeAll()
        guard libpq.PQstatus(handle) == CONNECTION_OK else {
            throw StoreError(sqlState: "08006", message: "cannot reconnect to PostgreSQL: \(Self.trimmed(libpq.PQerrorMessage(handle)))", sql: nil)
        }
        try configureSession()
    }

    // MARK: Statements

    func execute(_ sql: String) throws(StoreError) {
        try flush()  // a text of several statements cannot travel in a pipeline
        try onceMoreIfDisconnected { () throws(StoreError) in
            try reconnectIfBroken()
            roundTrips += 1
            let result = libpq.PQexec(handle, sql)
            defer { libpq.PQclear(result) }
            try check(result, sql: sql)
        }
    }

    /// Runs `attempt`, and once more on a new connection if it failed because the connection
    /// was lost while no transaction was open: nothing of it was done, and a kept connection
    /// that the server or a proxy closed between requests should not cost a request.
    private func onceMoreIfDisconnected<T>(_ attempt: () throws(StoreError) -> T) throws(StoreError) -> T {
        let wasIdle = libpq.PQstatus(handle) == CONNECTION_OK && libpq.PQtransactionStatus(handle) == PQTRANS_IDLE
        do {
            return try attempt()
        } catch where wasIdle && libpq.PQstatus(handle) == CONNECTION_BAD {
            return try attempt()  // its reconnectIfBroken() opens the new connection
        }
    }

    func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        let result = try statementResult(sql, parameters)
        defer { libpq.PQclear(result) }
        return libpq.PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [Row] {
        let result = try statementResult(sql, parameters)
        defer { libpq.PQclear(result) }
        return Self.rows(of: result)
    }

    static func rows(of result: OpaquePointer?) -> [Row] {
        let columns = libpq.PQnfields(result)
        let types = (0..<columns).map { PostgresType(oid: libpq.PQftype(result, $0)) }
        return (0..<libpq.PQntuples(result)).map { row in
            Row(
                values: (0..<columns).map { column in
                    libpq.PQgetisnull(result, row, column) == 1
                        ? .null : types[Int(column)].decode(libpq.PQgetvalue(result, row, column), length: libpq.PQgetlength(result, row, column))
                })
        }
    }

    func firstRow(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Row? {
        try query(sql, parameters).first
    }

    /// Rows arrive one at a time (libpq's single-row mode), so memory stays constant however
    /// many the query returns.
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (borrowing RowCursor) throws -> Void) throws -> Int {
        try flush()  // single-row mode cannot share a pipeline
        let statement = try self.statement(for: sql)
        roundTrips += 1
        let sent = withParameters(parameters) { count, values, lengths, formats in
            switch statement {
            case .prepared(let name): libpq.PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0)
            case .once(let text): libpq.PQsendQueryParams(handle, text, count, nil, values, lengths, formats, 0)
            }
        }
        guard sent == 1, libpq.PQsetSingleRowMode(handle) == 1 else {
            throw StoreError(sqlState: "08006", message: Self.trimmed(libpq.PQerrorMessage(handle)), sql: sql)
        }
        var count = 0
        var types: [PostgresType]?
        var failure: (any Error)?
        while let result = libpq.PQgetResult(handle) {
            defer { libpq.PQclear(result) }
            guard failure == nil else { continue }  // draining what the server still sends
            switch libpq.PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                let columnTypes = types ?? (0..<libpq.PQnfields(result)).map { PostgresType(oid: libpq.PQftype(result, $0)) }
                types = columnTypes
                do {
                    try body(RowCursor(postgresResult: result, row: 0, types: columnTypes))
                    count += 1
                } catch {
                    failure = error
                    cancelRunningQuery()
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK: break
            default: failure = error(of: result, sql: sql)
            }
        }
        if let failure { throw failure }
        return count
    }

    private func cancelRunningQuery() {
        guard let cancel = libpq.PQgetCancel(handle) else { return }
        defer { libpq.PQfreeCancel(cancel) }
        var message = [CChar](repeating: 0, count: 256)
        _ = libpq.PQcancel(cancel, &message, Int32(message.count))
    }

    /// Runs one statement with its parameters; the caller clears the result.
    private func statementResult(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> OpaquePointer? {
        if !pending.isEmpty {
            return try sendPending(then: PendingStatement(sql: sql, parameters: parameters))
        }
        return try onceMoreIfDisconnected { () throws(StoreError) in
            let statement = try self.statement(for: sql)
            roundTrips += 1
            let result = withParameters(parameters) { count, values, lengths, formats in
                switch statement {
                case .prepared(let name): libpq.PQexecPrepared(handle, name, count, values, lengths, formats, 0)
                case .once(let text): libpq.PQexecParams(handle, text, count, nil, values, lengths, formats, 0)
                }
            }
            guard succeeded(result) else {
                let failure = error(of: result, sql: sql)
                libpq.PQclear(result)
                throw failure
            }
            return result
        }
    }

    /// How a statement is sent: by the name it is prepared under, or as text with its parameters.
    enum Statement {
        case prepared(name: String)
        case once(text: String)
    }

    /// A statement is prepared the second time it runs on this connection. Preparing costs a
    /// round trip that only pays when the statement runs again, as it does in a long-lived
    /// FastCGI process; a CGI request runs most statements once and sends them as text.
    private func statement(for sql: String) throws(StoreError) -> Statement {
        try reconnectIfBroken()
        if prepared[sql] == nil, ranOnce.contains(sql), prepared.count >= Self.statementCacheLimit {
            try execute("DEALLOCATE ALL")
            prepared.removeAll()
        }
        let form = form(for: sql)
        guard let name = form.prepareAs else { return form.statement }
        roundTrips += 1
        let result = libpq.PQprepare(handle, name, Placeholders.postgres(sql), 0, nil)
        defer { libpq.PQclear(result) }
        do {
            try check(result, sql: sql)
        } catch {
            forgetPrepared(sql)
            throw error
        }
        return form.statement
    }

    /// How `sql` is sent next: by name, to be prepared first when `prepareAs` is set, or as
    /// text. The name is kept only if that prepare succeeds (`forgetPrepared`). In a pipeline,
    /// where nothing may be sent outside it, a full cache sends the statement as text.
    func form(for sql: String) -> (statement: Statement, prepareAs: String?) {
        if let name = prepared[sql] { return (.prepared(name: name), nil) }
        guard ranOnce.contains(sql), prepared.count < Self.statementCacheLimit else {
            if ranOnce.count >= Self.statementCacheLimit { ranOnce.removeAll() }
            ranOnce.insert(sql)
            return (.once(text: Placeholders.postgres(sql)), nil)
        }
        preparedCount += 1
        let name = "leadwire_\(preparedCount)"
        prepared[sql] = name
        return (.prepared(name: name), name)
    }

    func forgetPrepared(_ sql: String) { prepared[sql] = nil }

    /// Calls `body` with libpq's parameter arrays: text for every value but bytes, which go in
    /// binary (format 1) so they need no escaping. NULL is a null pointer.
    func withParameters<Result>(
        _ parameters: [SQLValue],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> Result
    ) -> Result {
        var buffers: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            case .blob(let bytes):
                // Never an empty buffer: libpq reads a null pointer as SQL NULL.
                buffers.append(bytes.isEmpty ? [0] : bytes.map { CChar(bitPattern: $0) })
                lengths.append(Int32(bytes.count))
                formats.append(1)
            case .integer(let number): append(text: String(number))
            case .real(let number): append(text: number.isFinite ? "\(number)" : number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity")
            case .text(let text): append(text: Self.withoutNUL(text))
            }
        }
        func append(text: String) {
            buffers.append(Array(text.utf8CString))
            lengths.append(Int32(text.utf8.count))
            formats.append(0)
        }
        return withPointers(to: buffers[...], collected: []) { pointers in
            body(Int32(parameters.count), pointers, lengths, formats)
        }
    }

    /// PostgreSQL's text and `jsonb` cannot hold the NUL character (libpq would even cut a text
    /// parameter short at one), so in a value bound for PostgreSQL it becomes U+FFFD, written
    /// `\uFFFD` where JSON text escaped it. Only text that reached a handler decoded is
    /// affected: the raw body is kept as bytes, exactly.
    static func withoutNUL(_ text: String) -> String {
        guard text.utf8.contains(0) || text.contains("\\u0000") else { return text }
        return text.replacing("\u{0}", with: "\u{FFFD}").replacing("\\u0000", with: "\\uFFFD")
    }

    /// Pins each buffer in turn and hands the collected pointers to `body`.
    private func withPointers<Result>(
        to buffers: ArraySlice<[CChar]?>, collected: [UnsafePointer<CChar>?],
        _ body: ([UnsafePointer<CChar>?]) -> Result
    ) -> Result {
        guard let first = buffers.first else { return body(collected) }
        guard let buffer = first else { return withPointers(to: buffers.dropFirst(), collected: collected + [nil], body) }
        return buffer.withUnsafeBufferPointer { withPointers(to: buffers.dropFirst(), collected: collected + [$0.baseAddress], body) }
    }

    private func check(_ result: OpaquePointer?, sql: String) throws(StoreError) {
        guard succeeded(result) else { throw error(of: result, sql: sql) }
    }

    func succeeded(_ result: OpaquePointer?) -> Bool {
        switch result.map({ libpq.PQresultStatus($0) }) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: true
        default: false
        }
    }

    func error(of result: OpaquePointer?, sql: String) -> StoreError {
        let sqlStateField = result.flatMap { libpq.PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }
        // No SQLSTATE means libpq itself failed: the connection is gone.
        let sqlState = sqlStateField.map { String(cString: $0) } ?? "08006"
        let message = result.flatMap { libpq.PQresultErrorMessage($0) }.map { String(cString: $0) } ?? ""
        return StoreError(sqlState: sqlState, message: message.isEmpty ? Self.trimmed(libpq.PQerrorMessage(handle)) : Self.trimmed(message), sql: sql)
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        trimmed(message.map { String(cString: $0) } ?? "")
    }

    private static func trimmed(_ message: String) -> String {
        let line = message.split(separator: "\n").first ?? ""
        return String(line.hasPrefix("ERROR:  ") ? line.dropFirst(8) : line)
    }

    // MARK: Transactions

    /// With a deadline, lock waits in the transaction end there (or at the lock timeout, if
    /// sooner): PostgreSQL's `lock_timeout` for this transaction alone. Nothing is sent yet:
    /// `BEGIN` goes with the transaction's first statement.
    func begin(deadline: ContinuousClock.Instant?) throws(StoreError) {
        pending.append(PendingStatement(sql: "BEGIN"))
        if let deadline {
            let remaining = ContinuousClock.now.duration(to: deadline).components
            let milliseconds = max(1, min(Int64(lockTimeoutMilliseconds), remaining.seconds * 1000 + remaining.attoseconds / 1_000_000_000_000_000))
            // A parameter, not a literal: one statement text, prepared once, whatever the deadline.
            pending.append(PendingStatement(sql: "SELECT set_config('lock_timeout', ?, true)", parameters: [.text(String(milliseconds))]))
        }
        transactionOpen = true
        transactionSent = false
    }

    /// A transaction in which a statement failed cannot commit: PostgreSQL answers COMMIT with
    /// a rollback. That is an error here, never a silent loss.
    func commit() throws(StoreError) {
        // On a failure the transaction stays open: the caller's `rollback` ends it.
        let result = try sendPending(then: PendingStatement(sql: "COMMIT"))
        defer { libpq.PQclear(result) }
        transactionOpen = false
        transactionSent = false
        if libpq.PQcmdStatus(result).map({ String(cString: $0) }) == "ROLLBACK" {
            throw StoreError(sqlState: "25P02", message: "a statement in the transaction failed, so it was rolled back", sql: "COMMIT")
        }
    }

    /// Statements still held back are dropped unsent; a transaction the server never saw
    /// needs no `ROLLBACK`.
    func rollback() {
        let notSent = StoreError(sqlState: "25P02", message: "the transaction was rolled back before this statement was sent", sql: nil)
        for statement in pending { statement.answer?(.failure(notSent)) }
        pending.removeAll()
        if transactionSent {
            roundTrips += 1
            libpq.PQclear(libpq.PQexec(handle, "ROLLBACK"))
        }
        transactionOpen = false
        transactionSent = false
    }

    var inTransaction: Bool { transactionOpen }

    // MARK: Statements sent later

    /// Inside a transaction, held back until the next statement that needs an answer.
    func write(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) {
        guard transactionOpen else {
            _ = try run(sql, parameters)
            return
        }
        pending.append(PendingStatement(sql: sql, parameters: parameters))
    }

    func prefetch(_ sql: String, _ parameters: [SQLValue], answer: @escaping (Result<[Row], StoreError>) -> Void) throws(StoreError) {
        guard transactionOpen else {
            answer(.success(try query(sql, parameters)))
            return
        }
        pending.append(PendingStatement(sql: sql, parameters: parameters, answer: answer))
    }

    func flush() throws(StoreError) {
        guard !pending.isEmpty else { return }
        libpq.PQclear(try sendPending(then: nil))
    }

    func leaveSavepointEndToCommit(_ savepoint: String) {
        let first = pending.lastIndex { $0.sql == savepoint }.map { $0 + 1 } ?? pending.startIndex
        for index in first..<pending.endIndex { pending[index].afterItsSavepointEnded = true }
    }

    /// Sends the held-back statements, then `last`, in one round trip, and returns `last`'s
    /// result for the caller to clear (nil without `last`). Throws the first failure. If the
    /// transaction's first round trip finds the kept connection closed since the last request,
    /// nothing of the transaction ran: it is sent again, once, on a new connection.
    private func sendPending(then last: PendingStatement?) throws(StoreError) -> OpaquePointer? {
        let statements = pending + (last.map { [$0] } ?? [])
        pending.removeAll()
        let firstOfTransaction = transactionOpen && !transactionSent
        if firstOfTransaction, libpq.PQstatus(handle) == CONNECTION_BAD { try deliverFailure(to: statements) { () throws(StoreError) in try reconnect() } }
        do {
            transactionSent = transactionSent || transactionOpen
            return try PostgresPipeline(connection: self, handle: handle).send(statements, keepingLast: last != nil)
        } catch where firstOfTransaction && libpq.PQstatus(handle) == CONNECTION_BAD {
            try deliverFailure(to: statements) { () throws(StoreError) in try reconnect() }
            return try PostgresPipeline(connection: self, handle: handle).send(statements, keepingLast: last != nil)
        }
    }

    /// Runs `step`; if it fails, the statements waiting for an answer get its failure.
    private func deliverFailure(to statements: [PendingStatement], _ step: () throws(StoreError) -> Void) throws(StoreError) {
        do {
            try step()
        } catch {
            for statement in statements { statement.answer?(.failure(error)) }
            throw error
        }
    }

    /// One round trip more (for `PostgresPipeline`).
    func countRoundTrip() { roundTrips += 1 }
}

/// A statement held back to travel with a later one; `answer` takes a prefetched query's rows.
struct PendingStatement {
    var sql: String
    var parameters: [SQLValue] = []
    var answer: ((Result<[Row], StoreError>) -> Void)? = nil
    /// Part of a savepoint that has ended, so its failure can no longer be undone alone.
    var afterItsSavepointEnded = false
}
