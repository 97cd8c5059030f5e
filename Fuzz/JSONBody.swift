// libFuzzer target: arbitrary bytes as a JSON webhook body. Parsing must end in a value or an
// error with an offset inside the input; a value must print and parse back to itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let value = try JSONValue(parsing: bytes, maxDepth: 32)
        guard (try? JSONValue(parsing: value.jsonText)) == value else { fatalError("a parsed value does not survive a round trip") }
    } catch {
        guard error.offset <= bytes.count else { fatalError("an error offset past the input: \(error)") }
    }
    return 0
}
