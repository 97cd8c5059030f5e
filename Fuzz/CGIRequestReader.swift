// libFuzzer target: a CGI request as a host hands it over. The input is meta-variables, one
// `NAME=value` a line, then a blank line and the body on stdin. Reading it and decoding its body
// must end in a request or a 4xx, never a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCGIRequestReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstRange(of: [0x0A, 0x0A])
    let head = split.map { bytes[..<$0.lowerBound] } ?? bytes[...]
    let stdin = split.map { Array(bytes[$0.upperBound...]) } ?? []
    var variables: [String: String] = [:]
    for line in head.split(separator: 0x0A) {
        let text = String(decoding: line, as: UTF8.self)
        guard let equals = text.firstIndex(of: "=") else { continue }
        variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    do {
        let request = try CGIRequest.request(from: Environment(variables), maxBodyBytes: 4096) { length in Array(stdin.prefix(length)) }
        _ = try? request.decodedBody(limits: FormLimits(maxFields: 500, maxDepth: 16, maxIndex: 1000))
    } catch {
        guard (400..<500).contains(error.status.code) else { fatalError("reading a request failed with \(error.status)") }
    }
    return 0
}
