import FunctionKit
import HTTPTypes

// libFuzzer target: a CGI request as a host hands it over. The input is meta-variables, one
// `NAME=value` a line, then a blank line and the body on stdin. Reading it must end in a request
// or a 4xx, never a crash; the request's body must be exactly what a host would hand over
// (CONTENT_LENGTH bytes, fewer only when stdin ended first, none past the limit); and decoding
// that body must end in a tree or a 4xx that names its reason.

func fuzzCGIRequestReader(_ bytes: [UInt8]) {
    let split = bytes.firstRange(of: [0x0A, 0x0A])
    let head = split.map { bytes[..<$0.lowerBound] } ?? bytes[...]
    let stdin = split.map { Array(bytes[$0.upperBound...]) } ?? []
    var variables: [String: String] = [:]
    for line in head.split(separator: 0x0A) {
        let text = String(decoding: line, as: UTF8.self)
        guard let equals = text.firstIndex(of: "=") else { continue }
        variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    let limit = 4096
    let request: Request
    do {
        request = try CGIRequest.request(from: Environment(variables), maxBodyBytes: limit) { length in Array(stdin.prefix(length)) }
    } catch {
        guard (400..<500).contains(error.status.code) else { fatalError("reading a request failed with \(error.status)") }
        return
    }
    let declared = variables["CONTENT_LENGTH"].flatMap { Int($0) }
    switch declared {
    case nil:
        guard request.body.isEmpty else { fatalError("a body was read with no CONTENT_LENGTH") }
    case let length? where length > limit:
        guard request.body.isEmpty, request.bodyLimitExceeded?.length == length else { fatalError("a body over the limit was read") }
    case let length?:
        guard request.body == Array(stdin.prefix(length)) else { fatalError("the body is not the first CONTENT_LENGTH bytes of stdin") }
        guard (request.truncatedBody != nil) == (stdin.count < length) else { fatalError("a short body was not marked, or a whole one was") }
    }
    do {
        _ = try request.decodedBody(limits: FormLimits(maxFields: 500, maxDepth: 16, maxIndex: 1000))
    } catch {
        guard (400..<500).contains(error.status.code), !error.message.isEmpty else {
            fatalError("decoding a body failed with \(error.status) \(error.message)")
        }
    }
}
