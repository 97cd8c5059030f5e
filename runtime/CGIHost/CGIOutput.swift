import Foundation
import HTTPTypes

/// A CGI response (RFC 3875 §6) read back into an HTTP response: header lines up to a blank
/// line (LF or CRLF), `Status:` for the status, `Location:` alone for a redirect, then the body.
struct CGIOutput {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(parsing output: [UInt8]) throws(Malformed) {
        guard let (headerEnd, bodyStart) = Self.headerBoundary(in: output) else {
            throw Malformed(description: "no blank line after the headers")
        }
        var status: HTTPResponse.Status?
        var headers = HTTPFields()
        let headerText = String(decoding: output[..<headerEnd], as: UTF8.self)
        for line in headerText.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
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
        self.body = Array(output[bodyStart...])
    }

    /// Where the header block ends and the body begins.
    private static func headerBoundary(in output: [UInt8]) -> (Int, Int)? {
        var index = 0
        while index < output.count {
            if output[index] == 0x0A {
                if index + 1 < output.count, output[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < output.count, output[index + 1] == 0x0D, output[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }
}
