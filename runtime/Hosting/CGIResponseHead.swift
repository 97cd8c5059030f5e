import Foundation
import HTTPTypes

/// The head of a CGI response (RFC 3875 §6): header lines up to a blank line (LF or CRLF),
/// `Status:` for the status, `Location:` alone for a redirect. Whatever follows is the body.
struct CGIResponseHead {
    var status: HTTPResponse.Status
    var headers: HTTPFields

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Where the head ends in `output` and the body begins, or nil while the blank line has
    /// not arrived. The search resumes at `searchFrom`, so feeding a growing buffer stays linear.
    static func boundary(in output: [UInt8], searchFrom: Int = 0) -> (headEnd: Int, bodyStart: Int)? {
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

    init(parsing head: ArraySlice<UInt8>) throws(Malformed) {
        var status: HTTPResponse.Status?
        var headers = HTTPFields()
        let text = String(decoding: head, as: UTF8.self)
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(description: "header line without a colon: \(line)") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                guard let code = Int(value.prefix(3)), (100...599).contains(code) else {
                    throw Malformed(description: "bad Status header: \(value)")
                }
                let reason = value.dropFirst(3).trimmingCharacters(in: .whitespaces)
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
