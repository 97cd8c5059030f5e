// libFuzzer target: arbitrary bytes as a form-encoded webhook body. Built by scripts/fuzz with
// the body parsers' sources (one module). Parsing must end in a tree or a limit's refusal,
// within the time limit; the tree must survive a JSON round trip.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormTree(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let tree = try? PHPFormTree.parse(bytes, limits: FormLimits(maxFields: 2000, maxDepth: 16, maxIndex: 1000)) else { return 0 }
    guard (try? JSONValue(parsing: tree.jsonText)) == tree else { fatalError("the tree does not survive a JSON round trip") }
    return 0
}
