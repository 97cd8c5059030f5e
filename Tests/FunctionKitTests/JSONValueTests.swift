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
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue(parsing: fine) }
    }

    @Test func readsCRMStringsAsNumbers() {
        let value: JSONValue = ["id": "  42 ", "empty": "", "n": 7, "bad": "4x"]
        #expect(value["id"]?.int64 == 42)
        #expect(value["n"]?.int64 == 7)
        #expect(value["empty"]?.int64 == nil)
        #expect(value["bad"]?.int64 == nil)
    }
}
