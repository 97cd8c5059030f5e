extension JSONValue {
    /// Compact JSON text: no spaces, keys in their stored order, non-ASCII kept as UTF-8.
    public var jsonText: String {
        var output: [UInt8] = []
        write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    public func write(to output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .bool(let value): output += Array((value ? "true" : "false").utf8)
        case .number(let literal): output += Array(literal.utf8)
        case .string(let value): JSONString.write(value.utf8, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONString.write(member.key.utf8, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// JSON string literals from UTF-8 bytes: the one escaper every JSON writer here uses (payloads,
/// answers, exports). Control characters are escaped, and so are U+2028 and U+2029, which are
/// valid in JSON but end a line inside a `<script>`.
public enum JSONString {
    @usableFromInline static let hexDigits = Array("0123456789abcdef".utf8)

    /// Inlinable so the export's per-byte loop is specialized for its buffers, not dispatched.
    @inlinable
    public static func write(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // The last two bytes seen, to spot E2 80 A8/A9 (U+2028/9) as the third arrives.
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20: output += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            case 0xA8 where previous == (0xE2, 0x80), 0xA9 where previous == (0xE2, 0x80):
                output.removeLast(2)
                output += Array((byte == 0xA8 ? "\\u2028" : "\\u2029").utf8)
            default: output.append(byte)
            }
            previous = (previous.1, byte)
        }
        output.append(UInt8(ascii: "\""))
    }
}

// MARK: - Building values in code

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(String(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }

    /// A number, or null when absent.
    public init(_ value: Int64?) { self = value.map { .number(String($0)) } ?? .null }
    /// A string, or null when absent.
    public init(_ value: String?) { self = value.map { .string($0) } ?? .null }
}
