/// Splits a byte stream into records as the bytes arrive, in time linear in the input: bytes
/// are appended once, read once, and the consumed front is dropped in bulk.
public struct RecordDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Bytes received and not yet returned as a record.
    public var pendingByteCount: Int { buffer.count - start }

    /// Concrete buffers, not any sequence: a generic call from another module would not be
    /// specialized and would copy byte by byte through protocol witnesses.
    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // Drop what was consumed once it is most of the buffer, so the copy is amortized.
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete record, or nil until more bytes arrive. Throws on a header no
    /// FastCGI 1.0 peer would send; the stream cannot be resynchronized after that.
    public mutating func next() throws(ProtocolError) -> Record? {
        guard pendingByteCount >= Record.headerLength else { return nil }
        let header = buffer[start..<start + Record.headerLength]
        let version = header[start]
        guard version == Record.version else { throw .malformed("version \(version), expected 1") }
        let rawType = header[start + 1]
        let requestID = UInt16(header[start + 2]) << 8 | UInt16(header[start + 3])
        let contentLength = Int(header[start + 4]) << 8 | Int(header[start + 5])
        let paddingLength = Int(header[start + 6])
        let total = Record.headerLength + contentLength + paddingLength
        guard pendingByteCount >= total else { return nil }
        let contentStart = start + Record.headerLength
        let record = Record(rawType: rawType, requestID: requestID, content: Array(buffer[contentStart..<contentStart + contentLength]))
        start += total
        return record
    }
}
