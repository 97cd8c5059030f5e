import CSQLite

/// The current row of a query being streamed, read in place: text arrives as SQLite's own
/// bytes, so a million-row export allocates nothing per row. Valid only inside the callback.
public struct RowCursor: ~Copyable {
    public enum ColumnType { case integer, real, text, blob, null }

    fileprivate let statement: OpaquePointer

    public func type(_ column: Int) -> ColumnType {
        switch sqlite3_column_type(statement, Int32(column)) {
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .real
        case SQLITE_TEXT: .text
        case SQLITE_BLOB: .blob
        default: .null
        }
    }

    public func integer(_ column: Int) -> Int64 { sqlite3_column_int64(statement, Int32(column)) }
    public func real(_ column: Int) -> Double { sqlite3_column_double(statement, Int32(column)) }

    /// The column's text (or blob) bytes, without copying them.
    public func withBytes<Result>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let pointer = sqlite3_column_text(statement, Int32(column))
        let count = Int(sqlite3_column_bytes(statement, Int32(column)))
        return try body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }
}

extension Database {
    /// Runs a query and hands each row to `body` as it is read, in constant memory.
    /// Returns the number of rows.
    @discardableResult
    public func forEachRow(_ sql: String, _ parameters: [SQLValue] = [], _ body: (borrowing RowCursor) throws -> Void) throws -> Int {
        let statement = try acquire(sql, parameters)
        defer { statement.finishUse() }
        let cursor = RowCursor(statement: statement.pointer)
        var count = 0
        while try statement.step() {
            try body(cursor)
            count += 1
        }
        return count
    }
}
