/// FastCGI name-value pairs (`params`, `getValues`): each a name length, a value length, the
/// name, the value. A length below 128 takes one byte; a longer one four, with the top bit set.
public enum NameValuePairs {
    /// Decodes a whole stream's content, in time linear in its length. Throws when a length
    /// points past the end. (The caller bounds the stream's length while it gathers it.)
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> [(name: [UInt8], value: [UInt8])] {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        var index = 0
        func length() throws(ProtocolError) -> Int {
            guard index < bytes.count else { throw .malformed("a name-value pair ends inside its lengths") }
            if bytes[index] < 0x80 {
                index += 1
                return Int(bytes[index - 1])
            }
            guard index + 4 <= bytes.count else { throw .malformed("a four-byte length is cut short") }
            let value = Int(bytes[index] & 0x7F) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            index += 4
            return value
        }
        while index < bytes.count {
            let nameLength = try length()
            let valueLength = try length()
            guard nameLength <= bytes.count - index, valueLength <= bytes.count - index - nameLength else {
                throw .malformed("a name-value pair is longer than the bytes that hold it")
            }
            let name = Array(bytes[index..<index + nameLength])
            index += nameLength
            let value = Array(bytes[index..<index + valueLength])
            index += valueLength
            pairs.append((name, value))
        }
        return pairs
    }

    public static func encode(_ pairs: [(name: String, value: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in pairs {
            let name = Array(name.utf8)
            let value = Array(value.utf8)
            appendLength(name.count, to: &bytes)
            appendLength(value.count, to: &bytes)
            bytes += name
            bytes += value
        }
        return bytes
    }

    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        if length < 0x80 {
            bytes.append(UInt8(length))
        } else {
            bytes += [UInt8(length >> 24 & 0x7F) | 0x80, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        }
    }
}
