public import HTTPTypes

/// The head of a CGI response (RFC 3875 §6): header lines up to a blank line (LF or CRLF),
/// `Status:` for the status, `Location:` alone for a redirect. Whatever follows is the body.
/// What a host reads from a function it started: the runtime, and replay in the logs function.
public struct CGIResponseHead: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Where the head ends in `output` and the body begins, or nil while the blank line has
    /// not arrived. The search resumes at `searchFrom`, so feeding a growing buffer stays linear.
    public static func boundary(in output: [UInt8], searchFrom: Int = 0) -> (headEnd: Int, bodyStart: Int)? {
        var index = max(0, searchFrom - 2)
        while index < output.count {
            if output[index] == 0x0A {
                if index + 1 < output.count, output[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < output.count, output[index + 1] == 0x0D, output[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }

    public init(parsing head: ArraySlice<UInt8>) throws(Malformed) {
        var status: HTTPResponse.Status?
        var headers = HTTPFields()
        let text = String(decoding: head, as: UTF8.self)
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(description: "header line without a colon: \(line)") }
            let name = String(line[..<colon].trimmingSpaces)
            let value = String(line[line.index(after: colon)...].trimmingSpaces)
            if name.lowercased() == "status" {
                guard let code = Int(value.prefix(3)), (100...599).contains(code) else {
                    throw Malformed(description: "bad Status header: \(value)")
                }
                let reason = String(value.dropFirst(3).trimmingSpaces)
                status = HTTPResponse.Status(code: code, reasonPhrase: reason)
                continue
            }
            guard let fieldName = HTTPField.Name(name) else { throw Malformed(description: "bad header name: \(name)") }
            headers.append(HTTPField(name: fieldName, value: value))
        }
        if status == nil, headers[.location] != nil { status = .found }
        self.status = status ?? .ok
        self.headers = headers
    }
}
