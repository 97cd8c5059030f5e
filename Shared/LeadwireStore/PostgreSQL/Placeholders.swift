/// The store's SQL names parameters SQLite's way, `?` (the next one) or `?3` (the third);
/// PostgreSQL numbers them `$1`, `$2`. This rewrites one into the other in a single pass,
/// leaving string literals, quoted names and comments alone.
enum Placeholders {
    static func postgres(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var next = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // A quoted span ends at the next unescaped quote; a doubled quote is an escape
                // and simply reopens the span on the next turn.
                let end = bytes[(index + 1)...].firstIndex(of: byte) ?? bytes.count - 1
                output += bytes[index...end]
                index = end + 1
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count - 1
                output += bytes[index...end]
                index = end + 1
            case UInt8(ascii: "?"):
                var digitsEnd = index + 1
                while digitsEnd < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[digitsEnd]) { digitsEnd += 1 }
                output.append(UInt8(ascii: "$"))
                if digitsEnd > index + 1 {
                    output += bytes[(index + 1)..<digitsEnd]
                } else {
                    output += Array(String(next).utf8)
                    next += 1
                }
                index = digitsEnd
            default:
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
