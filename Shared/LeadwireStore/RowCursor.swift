import CPostgres
import CSQLite

/// The current row of a query being streamed, read in place: text arrives as the backend's own
/// bytes, so a million-row export allocates nothing per row. Valid only inside the callback.
public struct RowCursor: ~Copyable {
    public enum ColumnType { case integer, real, text, blob, null }

    private enum Source {
        case sqlite(OpaquePointer)
        /// A PostgreSQL result, the row within it, and each column's type.
        case postgres(OpaquePointer, row: Int32, types: [PostgresType])
    }

    private let source: Source

    init(sqliteStatement statement: OpaquePointer) { source = .sqlite(statement) }

    init(postgresResult result: OpaquePointer, row: Int32, types: [PostgresType]) {
        source = .postgres(result, row: row, types: types)
    }

    public func type(_ column: Int) -> ColumnType {
        switch source {
        case .sqlite(let statement):
            switch sqlite3_column_type(statement, Int32(column)) {
            case SQLITE_INTEGER: .integer
            case SQLITE_FLOAT: .real
            case SQLITE_TEXT: .text
            case SQLITE_BLOB: .blob
            default: .null
            }
        case .postgres(let result, let row, let types):
            libpq.PQgetisnull(result, row, Int32(column)) == 1 ? .null : types[column].columnType
        }
    }

    public func integer(_ column: Int) -> Int64 {
        switch source {
        case .sqlite(let statement): sqlite3_column_int64(statement, Int32(column))
        case .postgres(let result, let row, let types):
            types[column].decode(libpq.PQgetvalue(result, row, Int32(column)), length: libpq.PQgetlength(result, row, Int32(column))).integer ?? 0
        }
    }

    public func real(_ column: Int) -> Double {
        switch source {
        case .sqlite(let statement): sqlite3_column_double(statement, Int32(column))
        case .postgres(let result, let row, let types):
            types[column].decode(libpq.PQgetvalue(result, row, Int32(column)), length: libpq.PQgetlength(result, row, Int32(column))).real ?? 0
        }
    }

    /// The column's text (or blob) bytes, without copying them where the backend's own bytes
    /// are the text (a PostgreSQL time is rewritten to the store's ISO 8601 form first).
    public func withBytes<Result>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch source {
        case .sqlite(let statement):
            let pointer = sqlite3_column_text(statement, Int32(column))
            let count = Int(sqlite3_column_bytes(statement, Int32(column)))
            return try body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
        case .postgres(let result, let row, let types):
            let value = libpq.PQgetvalue(result, row, Int32(column))
            let length = libpq.PQgetlength(result, row, Int32(column))
            let bytes = UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : Int(length)).bindMemory(to: UInt8.self)
            switch types[column] {
            case .text: return try body(bytes)
            case .time: return try PostgresType.withStoreTime(bytes, body)
            default:
                let decoded = types[column].decode(value, length: length)
                switch decoded {
                case .blob(let bytes): return try bytes.withUnsafeBufferPointer(body)
                default:
                    var text = decoded.text ?? ""
                    return try text.withUTF8(body)
                }
            }
        }
    }
}
