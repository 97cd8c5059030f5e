import FunctionKit

// libFuzzer target: arbitrary bytes as a form-encoded webhook body. Parsing must end in a tree or a limit's refusal,
// within the time limit; the tree must survive a JSON round trip.

func fuzzFormTree(_ bytes: [UInt8]) {
    guard let tree = try? PHPFormTree.parse(bytes, limits: FormLimits(maxFields: 2000, maxDepth: 16, maxIndex: 1000)) else { return }
    guard (try? JSONValue(parsing: tree.jsonText)) == tree else { fatalError("the tree does not survive a JSON round trip") }
}
