import FunctionKit
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripKeepsKeyOrderAndExactNumbers() throws {
        let text = #"{"z":1,"a":[true,false,null],"id":12345678901234567890,"price":1.50e3,"s":"x\"y"}"#
        let value = try JSONValue(parsing: text)
        #expect(value.jsonText == text)
        #expect(value["id"]?.text == "12345678901234567890")
        #expect(value["price"]?.double == 1500)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #"["\u00e9\n\t\/", "\ud83d\ude00", "Успешно"]"#)
        #expect(value[0] == .string("é\n\t/"))
        #expect(value[1] == .string("😀"))
        #expect(value[2] == .string("Успешно"))
    }

    @Test func writerEscapesControlCharactersAndLineSeparators() {
        let value: JSONValue = ["k": .string("a\u{01}b\u{2028}\"</script>")]
        #expect(value.jsonText == #"{"k":"a\u0001b\u2028\"</script>"}"#)
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{\"a\":1,}", "expected a string key"),
        ("[1 2]", "expected ',' or ']'"),
        ("{\"a\" 1}", "expected ':'"),
        ("01", "unexpected data after"),
        ("\"abc", "unterminated string"),
        ("\"\\ud800\"", "unpaired surrogate"),
        ("tru", "invalid literal"),
        ("1.", "invalid number fraction"),
        ("{\"a\":\"tab\there\"}", "unescaped control character"),
    ])
    func rejectsInvalidJSONWithAReason(input: String, reason: String) {
        #expect {
            try JSONValue(parsing: input)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test func refusesNestingBeyondTheDepthLimit() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect {
            try JSONValue(parsing: deep)
        } throws: { error in
            "\(error)".contains("LEADWIRE_MAX_NESTING_DEPTH")
        }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue(parsing: fine) }
    }

    /// An object with 300,000 members: looking each key up in the members so far made this
    /// quadratic (minutes); the parser now keeps a hash of positions.
    @Test(.timeLimit(.minutes(1))) func wideObjectsParseInLinearTime() throws {
        let body = "{" + (0..<300_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":\"last\"}"
        let value = try JSONValue(parsing: body)
        #expect(value.object?.members.count == 300_000)
        #expect(value["k7"] == "last", "a repeated key keeps its place and takes the last value")
        #expect(value.object?.keys.prefix(3) == ["k0", "k1", "k2"])
    }

    @Test func readsCRMStringsAsNumbers() {
        let value: JSONValue = ["id": "  42 ", "empty": "", "n": 7, "bad": "4x"]
        #expect(value["id"]?.int64 == 42)
        #expect(value["n"]?.int64 == 7)
        #expect(value["empty"]?.int64 == nil)
        #expect(value["bad"]?.int64 == nil)
    }
}

@Suite struct JSONStringTests {
    /// Payloads, answers and exports share this escaper; U+2028/9 once differed between them.
    @Test func escapesControlsQuotesAndTheScriptLineBreaks() {
        #expect(JSONValue.string("a\u{2028}b\u{2029}\"\\\n\u{1}é").jsonText == #""a\u2028b\u2029\"\\\n\u0001é""#)
        var bytes: [UInt8] = []
        JSONString.write(Array("x\u{2028}".utf8), to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #""x\u2028""#)
        // A8 and A9 continue many other characters (è is C3 A8, Ш is D0 A8): only after E2 80 are they escaped.
        #expect(JSONValue.string("èШ©").jsonText == "\"èШ©\"")
        // E2 80 followed by something else is left alone.
        #expect(JSONValue.string("\u{2020}\u{2030}").jsonText == "\"\u{2020}\u{2030}\"")
    }

    /// The writer copies runs of plain bytes; byte by byte, the rule is simple, so random texts
    /// built from the bytes that matter (and cut anywhere) are checked against it.
    @Test func copyingInRunsEscapesAsByteByByteWould() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x22, 0x5C, 0xE2, 0x80, 0xA8, 0xA9, 0x61, 0xC3, 0x2F]
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var written: [UInt8] = []
            JSONString.write(bytes, to: &written)
            #expect(written == Self.escapedByteByByte(bytes), "\(bytes)")
        }
    }

    /// The rule: a quote, a backslash and every control character escaped, and U+2028/9
    /// (E2 80 A8/A9) as `\u2028`/`\u2029`; every other byte as it is.
    private static func escapedByteByByte(_ bytes: [UInt8]) -> [UInt8] {
        var output = Array("\"".utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, [0xA8, 0xA9].contains(bytes[index + 2]) {
                output += Array((bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                index += 3
                continue
            }
            switch byte {
            case 0x22: output += Array("\\\"".utf8)
            case 0x5C: output += Array("\\\\".utf8)
            case 0x0A: output += Array("\\n".utf8)
            case 0x0D: output += Array("\\r".utf8)
            case 0x09: output += Array("\\t".utf8)
            case 0x00..<0x20: output += Array("\\u00".utf8) + [byte >> 4, byte & 0x0F].map { Array("0123456789abcdef".utf8)[Int($0)] }
            default: output.append(byte)
            }
            index += 1
        }
        return output + Array("\"".utf8)
    }
}
