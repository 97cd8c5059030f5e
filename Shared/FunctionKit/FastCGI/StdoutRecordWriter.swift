import FastCGI

/// A response body as FastCGI `stdout` records: bytes gather in a buffer and leave as records
/// of up to 64 KiB, so memory stays constant however large the answer.
final class StdoutRecordWriter: BodyWriter {
    private let connection: Int32
    private let requestID: UInt16
    private var buffer: [UInt8] = []
    /// A multiple of 8 below the record limit, so full records need no padding.
    private static let recordContent = 65_528

    init(connection: Int32, requestID: UInt16) {
        self.connection = connection
        self.requestID = requestID
        buffer.reserveCapacity(Self.recordContent)
    }

    func write(_ bytes: [UInt8]) throws {
        var index = 0
        while index < bytes.count {
            let take = min(Self.recordContent - buffer.count, bytes.count - index)
            buffer += bytes[index..<index + take]
            index += take
            if buffer.count == Self.recordContent { try flush() }
        }
    }

    func flush() throws {
        try send(ending: false)
    }

    /// Sends what is buffered together with the end of the stream and of the request, in one
    /// write: a small answer then leaves in one segment instead of waiting on a delayed ACK.
    func finish() throws {
        try send(ending: true)
    }

    private func send(ending: Bool) throws {
        guard !buffer.isEmpty || ending else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Record.headerLength + buffer.count + 40)
        if !buffer.isEmpty { Record(.stdout, requestID: requestID, content: buffer).encode(into: &bytes) }
        if ending { bytes += Record.endOfResponse(requestID: requestID) }
        guard FileDescriptorIO.writeAll(bytes, to: connection) else { throw BufferedDescriptorWriter.WriteFailed() }
        buffer.removeAll(keepingCapacity: true)
    }
}
