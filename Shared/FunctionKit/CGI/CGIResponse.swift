import HTTPTypes

/// Writes a response as RFC 3875 §6 asks: a `Status:` line, the headers, a blank line, the
/// body, in one write so the host never sees half a response.
public enum CGIResponse {
    public static func encode(_ response: Response) -> [UInt8] {
        var head = "Status: \(response.status.code) \(response.status.reasonPhrase)\n"
        var fields = response.headers
        if fields[.contentType] == nil, !response.body.isEmpty { fields[.contentType] = "application/octet-stream" }
        fields[.contentLength] = String(response.body.count)
        for field in fields {
            head += "\(field.name.rawName): \(field.value)\n"
        }
        head += "\n"
        return Array(head.utf8) + response.body
    }

    public static func write(_ response: Response) {
        FileDescriptorIO.writeAll(encode(response), to: 1)
    }
}
