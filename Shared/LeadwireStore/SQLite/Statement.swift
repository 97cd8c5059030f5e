import CSQLite

/// A prepared statement; finalized when released.
final class Statement {
    let pointer: OpaquePointer
    private let database: OpaquePointer
    let sql: String
    /// Bound or stepping for a caller now; see `SQLiteConnection.acquire`.
    var inUse = false

    init(_ pointer: OpaquePointer, database: OpaquePointer, sql: String) {
        self.pointer = pointer
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(pointer)
    }

    /// Ends a use: the statement releases what it read and forgets its parameters.
    func finishUse() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
        inUse = false
    }

    func bind(_ parameters: [SQLValue]) throws(StoreError) {
        let expected = Int(sqlite3_bind_parameter_count(pointer))
        guard parameters.count == expected else {
            throw StoreError(code: SQLITE_RANGE, message: "expected \(expected) parameters, got \(parameters.count)", sql: sql)
        }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32 =
                switch value {
                case .null: sqlite3_bind_null(pointer, index)
                case .integer(let number): sqlite3_bind_int64(pointer, index, number)
                case .real(let number): sqlite3_bind_double(pointer, index, number)
                // With its byte count, not as a C string: text may hold NUL bytes, and they are kept.
                // (An empty buffer may have no address, and a NULL pointer would bind SQL NULL.)
                case .text(var text):
                    text.withUTF8 { utf8 in
                        utf8.isEmpty
                            ? sqlite3_bind_text(pointer, index, "", 0, csqlite_transient)
                            : sqlite3_bind_text(pointer, index, utf8.baseAddress, Int32(utf8.count), csqlite_transient)
                    }
                case .blob(let bytes):
                    bytes.withUnsafeBytes { sqlite3_bind_blob(pointer, index, $0.baseAddress, Int32($0.count), csqlite_transient) }
                }
            guard result == SQLITE_OK else { throw error(result) }
        }
    }

    /// Advances to the next row: true while there is one, false when the statement is done.
    func step() throws(StoreError) -> Bool {
        switch sqlite3_step(pointer) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let result: throw error(result)
        }
    }

    func row() -> Row {
        let count = sqlite3_column_count(pointer)
        return Row(
            values: (0..<count).map { column in
                switch sqlite3_column_type(pointer, column) {
                case SQLITE_INTEGER: .integer(sqlite3_column_int64(pointer, column))
                case SQLITE_FLOAT: .real(sqlite3_column_double(pointer, column))
                case SQLITE_TEXT:
                    .text(
                        String(
                            decoding: UnsafeBufferPointer(start: sqlite3_column_text(pointer, column), count: Int(sqlite3_column_bytes(pointer, column))),
                            as: UTF8.self))
                case SQLITE_BLOB:
                    .blob(Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(pointer, column), count: Int(sqlite3_column_bytes(pointer, column)))))
                default: .null
                }
            })
    }

    private func error(_ result: Int32) -> StoreError {
        StoreError(code: result, message: String(cString: sqlite3_errmsg(database)), sql: sql)
    }
}
