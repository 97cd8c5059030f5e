/// Where a streaming body writes its bytes.
public protocol BodyWriter {
    func write(_ bytes: [UInt8]) throws
}

/// A body produced while the response is written, so a large one (an export of a million
/// rows) never sits in memory. The host sends the headers first, without Content-Length, then
/// runs `produce`. If the reader goes away, `write` throws and `produce` should stop.
///
/// Unchecked Sendable: the closure runs once, on the thread that writes the response.
public final class StreamingBody: @unchecked Sendable {
    public let produce: (any BodyWriter) throws -> Void

    public init(_ produce: @escaping (any BodyWriter) throws -> Void) { self.produce = produce }

    /// Runs the producer into memory: for tests and for hosts that need the whole body.
    public func collect() throws -> [UInt8] {
        let collector = CollectingWriter()
        try produce(collector)
        return collector.bytes
    }
}

private final class CollectingWriter: BodyWriter {
    var bytes: [UInt8] = []
    func write(_ bytes: [UInt8]) throws { self.bytes += bytes }
}

/// Writes to a file descriptor through a fixed buffer, so output leaves in large writes and
/// memory stays constant however much passes through.
final class BufferedDescriptorWriter: BodyWriter {
    struct WriteFailed: Error {}

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int

    init(descriptor: Int32, capacity: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    func write(_ bytes: [UInt8]) throws {
        // A chunk as large as the buffer goes straight out, without a second copy.
        if buffer.isEmpty, bytes.count >= capacity {
            guard FileDescriptorIO.writeAll(bytes, to: descriptor) else { throw WriteFailed() }
            return
        }
        buffer += bytes
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        guard FileDescriptorIO.writeAll(buffer, to: descriptor) else { throw WriteFailed() }
        buffer.removeAll(keepingCapacity: true)
    }
}
