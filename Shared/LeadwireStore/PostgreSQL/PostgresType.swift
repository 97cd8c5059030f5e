import CPostgres

/// How a PostgreSQL column's text is read back as the `SQLValue` the handlers already know
/// from SQLite: booleans as 0 and 1, integers as integers, `bytea` as bytes, and times in the
/// store's one text form (`2026-11-22T19:58:20.123Z`), so nothing above the store can tell the
/// backends apart. Everything else (text, `jsonb`, `uuid`) is its text.
enum PostgresType: Sendable {
    case boolean, integer, real, numeric, bytes, time, text

    init(oid: Oid) {
        switch oid {
        case 16: self = .boolean
        case 20, 21, 23, 26: self = .integer  // int8, int2, int4, oid
        case 700, 701: self = .real
        case 1700: self = .numeric
        case 17: self = .bytes
        case 1114, 1184: self = .time  // timestamp, timestamptz
        default: self = .text
        }
    }

    var columnType: RowCursor.ColumnType {
        switch self {
        case .boolean, .integer: .integer
        case .real, .numeric: .real
        case .bytes: .blob
        case .time, .text: .text
        }
    }

    /// The value of a non-null column from its text form (`length` bytes at `value`).
    func decode(_ value: UnsafePointer<CChar>?, length: Int32) -> SQLValue {
        let bytes = UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : Int(length)).bindMemory(to: UInt8.self)
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .boolean: return .integer(text == "t" ? 1 : 0)
        case .integer: return Int64(text).map(SQLValue.integer) ?? .text(text)
        case .real: return Double(text).map(SQLValue.real) ?? .text(text)
        // A whole number stays an integer (a count, a sum); anything else is a real.
        case .numeric: return Int64(text).map(SQLValue.integer) ?? Double(text).map(SQLValue.real) ?? .text(text)
        case .bytes: return .blob(Self.decodeHexBytes(bytes))
        case .time: return .text(Self.storeTime(text))
        case .text: return .text(text)
        }
    }

    /// `bytea` in its hex output form, `\x` then two digits a byte.
    private static func decodeHexBytes(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else { return Array(text) }
        func nibble(_ digit: UInt8) -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: digit &- UInt8(ascii: "A") &+ 10
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index + 1 < text.count {
            bytes.append(nibble(text[index]) << 4 | nibble(text[index + 1]))
            index += 2
        }
        return bytes
    }

    /// `2026-11-22 19:58:20.1234+00` (ISO DateStyle, UTC session) as `2026-11-22T19:58:20.123Z`.
    /// Values outside that shape (`infinity`, a year past 9999) are left as PostgreSQL wrote them.
    static func storeTime(_ text: String) -> String {
        var text = text
        return text.withUTF8 { withStoreTime($0) { String(decoding: $0, as: UTF8.self) } }
    }

    /// Calls `body` with the store's form of the PostgreSQL time in `bytes`, written into a
    /// small buffer on the stack (an export reads two times a row).
    static func withStoreTime<Result>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: " "), bytes[4] == UInt8(ascii: "-") else { return try body(bytes) }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            for index in 0..<19 { buffer[index] = bytes[index] }
            buffer[10] = UInt8(ascii: "T")
            buffer[19] = UInt8(ascii: ".")
            var index = 19
            var written = 20
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    if written < 23 {
                        buffer[written] = bytes[index]
                        written += 1
                    }
                    index += 1
                }
            }
            while written < 23 {
                buffer[written] = UInt8(ascii: "0")
                written += 1
            }
            buffer[23] = UInt8(ascii: "Z")
            return try body(UnsafeBufferPointer(buffer))
        }
    }
}
