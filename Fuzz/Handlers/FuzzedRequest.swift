import FunctionKit
import HTTPTypes

/// The bytes of one fuzz input as a request, in a form close to HTTP/1.1 so that seeds are
/// readable and a fuzzer's mutations stay meaningful:
///
///     POST /kommo-webhook?token=x
///     Content-Type: application/x-www-form-urlencoded
///
///     leads[add][0][id]=1
///
/// A first line that is not `METHOD /path` leaves the function's own method and route. Header
/// lines run to the first empty line and the body follows it; with no empty line, everything
/// after the request line is the body. A header line that is not `Name: value` is skipped.
struct FuzzedRequest {
    static func make(from input: [UInt8], for function: FuzzedFunction, adminKey: String) -> Request {
        var method = function.defaultMethod
        var target = function.path
        var rest = input[...]
        if let (line, after) = firstLine(of: rest), let space = line.firstIndex(of: " "),
            let parsed = HTTPRequest.Method(String(line[..<space])), line[line.index(after: space)...].hasPrefix("/")
        {
            method = parsed
            target = String(line[line.index(after: space)...])
            rest = after
        }
        var headers = HTTPFields()
        if let blank = emptyLine(in: rest) {
            var head = rest[..<blank.start]
            while let (line, after) = firstLine(of: head) {
                head = after
                guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
                headers.append(HTTPField(name: name, value: String(line[line.index(after: colon)...].trimmingSpaces)))
            }
            rest = rest[blank.end...]
        }
        if function.usesAdminKey && headers[.authorization] == nil { headers[.authorization] = "Bearer " + adminKey }
        let mark = target.firstIndex(of: "?")
        return Request(
            method: method, path: String(target[..<(mark ?? target.endIndex)]),
            query: QueryParameters(queryString: mark.map { String(target[target.index(after: $0)...]) } ?? ""), headers: headers,
            body: Array(rest), remoteAddress: "127.0.0.1")
    }

    /// The first line as text (without its `\r\n` or `\n`) and what follows it; nil when the
    /// bytes are empty or the line is not UTF-8.
    private static func firstLine(of bytes: ArraySlice<UInt8>) -> (String, ArraySlice<UInt8>)? {
        guard !bytes.isEmpty else { return nil }
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        guard var line = String(validating: bytes[..<end], as: UTF8.self) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return (line, bytes[min(end + 1, bytes.endIndex)...])
    }

    /// Where the head ends: the first `\n\n` or `\n\r\n`, or an empty line at the very start.
    private static func emptyLine(in bytes: ArraySlice<UInt8>) -> (start: Int, end: Int)? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lineStart = index
            if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "\n") {
                return (lineStart, index + 2)
            }
            if bytes[index] == UInt8(ascii: "\n") { return (lineStart, index + 1) }
            guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            index = newline + 1
        }
        return nil
    }
}
