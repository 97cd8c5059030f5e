import FunctionKit

// libFuzzer target: arbitrary bytes as a JSON webhook body. Parsing must end in a value or an
// error with an offset inside the input; a value must print and parse back to itself.

func fuzzJSONBody(_ bytes: [UInt8]) {
    do {
        let value = try JSONValue(parsing: bytes, maxDepth: 32)
        guard (try? JSONValue(parsing: value.jsonText)) == value else { fatalError("a parsed value does not survive a round trip") }
    } catch {
        guard error.offset <= bytes.count else { fatalError("an error offset past the input: \(error)") }
    }
}
