import HTTPTypes

/// Writes a response as RFC 3875 §6 asks: a `Status:` line, the headers, a blank line, the
/// body. A complete body goes out in one write, so the host never sees half a response; a
/// streaming body follows its headers through a fixed buffer.
public enum CGIResponse {
    /// The response as bytes; a streaming body is produced into memory.
    public static func encode(_ response: Response) throws -> [UInt8] {
        guard let streaming = response.streamingBody else { return head(response) + response.body }
        return head(response) + (try streaming.collect())
    }

    /// Writes the response to stdout. Throws when a streaming body could not be completed
    /// (the reader went away, or the producer failed), after sending what it could.
    public static func write(_ response: Response) throws {
        guard response.streamingBody != nil else {
            guard FileDescriptorIO.writeAll(head(response) + response.body, to: 1) else { throw BufferedDescriptorWriter.WriteFailed() }
            return
        }
        let output = BufferedDescriptorWriter(descriptor: 1)
        try write(response, to: output)
        try output.flush()
    }

    /// Writes the head, then the body, through `output` (which the caller flushes).
    static func write(_ response: Response, to output: some BodyWriter) throws {
        guard let streaming = response.streamingBody else {
            try output.write(head(response) + response.body)
            return
        }
        try output.write(head(response))
        try streaming.produce(output)
    }

    static func head(_ response: Response) -> [UInt8] {
        var head = "Status: \(response.status.code) \(response.status.reasonPhrase)\n"
        var fields = response.headers
        if fields[.contentType] == nil, !response.body.isEmpty || response.streamingBody != nil {
            fields[.contentType] = "application/octet-stream"
        }
        fields[.contentLength] = response.streamingBody == nil ? String(response.body.count) : nil
        for field in fields {
            head += "\(field.name.rawName): \(field.value)\n"
        }
        return Array((head + "\n").utf8)
    }
}
