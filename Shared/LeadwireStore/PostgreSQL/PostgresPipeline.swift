import CPostgres

/// Several statements sent in one round trip with libpq's pipeline mode: all of them, one sync,
/// then their results in order. The server runs them in order and, after one fails, skips the
/// rest up to the sync (`PGRES_PIPELINE_ABORTED`), so a failure is reported exactly as if the
/// statements had been sent one at a time and the first failure had stopped the caller.
struct PostgresPipeline {
    let connection: PostgresConnection
    let handle: OpaquePointer

    /// Sends `statements` and returns the last one's result when `keepingLast` (the caller clears
    /// it), else nil. Prefetched queries get their rows, or the failure that stopped them.
    func send(_ statements: [PendingStatement], keepingLast: Bool) throws(StoreError) -> OpaquePointer? {
        let forms = statements.map { connection.form(for: $0.sql) }
        guard libpq.PQenterPipelineMode(handle) == 1 else { throw connectionError(sql: statements.first?.sql) }
        defer { leavePipelineMode() }
        for (statement, form) in zip(statements, forms) {
            // A statement prepared in the pipeline is prepared in its place in the order: after
            // a `ROLLBACK TO` that makes an aborted transaction usable again, for one.
            if let name = form.prepareAs, libpq.PQsendPrepare(handle, name, Placeholders.postgres(statement.sql), 0, nil) != 1 {
                throw connectionError(sql: statement.sql)
            }
            let sent = connection.withParameters(statement.parameters) { count, values, lengths, formats in
                switch form.statement {
                case .prepared(let name): libpq.PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0)
                case .once(let text): libpq.PQsendQueryParams(handle, text, count, nil, values, lengths, formats, 0)
                }
            }
            guard sent == 1 else { throw connectionError(sql: statement.sql) }
        }
        guard libpq.PQpipelineSync(handle) == 1 else { throw connectionError(sql: statements.first?.sql) }
        connection.countRoundTrip()

        var failure: StoreError?
        var kept: OpaquePointer?
        for (index, (statement, form)) in zip(statements, forms).enumerated() {
            if form.prepareAs != nil {
                let prepared = nextResult()
                if !connection.succeeded(prepared) {
                    connection.forgetPrepared(statement.sql)
                    failure = failure ?? failureOf(prepared, statement)
                }
                libpq.PQclear(prepared)
            }
            let result = nextResult()
            if failure == nil, !connection.succeeded(result) { failure = failureOf(result, statement) }
            if let failure {
                statement.answer?(.failure(failure))
                libpq.PQclear(result)
                continue
            }
            statement.answer?(.success(PostgresConnection.rows(of: result)))
            if keepingLast, index == statements.count - 1 { kept = result } else { libpq.PQclear(result) }
        }
        if let failure {
            libpq.PQclear(kept)
            throw failure
        }
        return kept
    }

    /// One statement's result; libpq ends each statement's results with NULL.
    private func nextResult() -> OpaquePointer? {
        let result = libpq.PQgetResult(handle)
        if result != nil { while let extra = libpq.PQgetResult(handle) { libpq.PQclear(extra) } }
        return result
    }

    /// No result at all, or a statement skipped though none failed before it: the connection
    /// failed. A statement's own failure says whether its savepoint had ended.
    private func failureOf(_ result: OpaquePointer?, _ statement: PendingStatement) -> StoreError {
        guard let result, libpq.PQresultStatus(result) != PGRES_PIPELINE_ABORTED else { return connectionError(sql: statement.sql) }
        var failure = connection.error(of: result, sql: statement.sql)
        failure.inSavepointEndedWithCommit = statement.afterItsSavepointEnded
        return failure
    }

    /// Reads what is left up to the sync, then leaves pipeline mode. A connection that cannot
    /// is broken: it is reset at its next use outside a transaction.
    private func leavePipelineMode() {
        var attempts = 0
        while libpq.PQexitPipelineMode(handle) != 1, attempts < 1000, libpq.PQstatus(handle) != CONNECTION_BAD {
            attempts += 1
            libpq.PQclear(libpq.PQgetResult(handle))
        }
    }

    private func connectionError(sql: String?) -> StoreError {
        StoreError(sqlState: "08006", message: PostgresConnection.trimmed(libpq.PQerrorMessage(handle)), sql: sql)
    }
}
