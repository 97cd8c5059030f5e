#if canImport(Glibc)
import Glibc
#endif
import FastCGI

/// One connection a FastCGI responder serves: the bytes that arrived, where its request stands,
/// and a request that is complete and waits for its answer.
struct ServedConnection {
    let descriptor: Int32
    private var decoder = RecordDecoder()
    private var state: ResponderConnection
    /// A request whose parameters and body have all arrived, to be answered.
    private(set) var request: ResponderConnection.CompleteRequest?
    /// Whether a request on this connection has been answered (the host kept it for more).
    private var answeredAny = false
    /// When bytes last arrived, for the read timeout.
    private(set) var lastActivity = ContinuousClock.now

    init(descriptor: Int32, limits: ResponderConnection.Limits) {
        self.descriptor = descriptor
        self.state = ResponderConnection(limits: limits)
    }

    /// Kept by the host after an answer, with nothing of a next request yet: closing it loses
    /// nothing. (A new connection has nothing either, but its request is on its way.)
    var isIdle: Bool { answeredAny && request == nil && decoder.pendingByteCount == 0 && state.isIdle }

    /// Whether bytes of a request have arrived but not the whole request.
    var isMidRequest: Bool { request == nil && (decoder.pendingByteCount > 0 || !state.isIdle) }

    /// The request was answered: the connection waits for its next one.
    mutating func answered() {
        request = nil
        answeredAny = true
    }

    /// Reads what arrived and takes records until a request is complete. False when the
    /// connection is over (closed by the host, failed, or broke the protocol): close it.
    mutating func readAvailable(into chunk: inout [UInt8], logger: Logger) -> Bool {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EINTR || errno == EAGAIN }
        guard count > 0 else { return false }
        lastActivity = .now
        decoder.append(chunk[..<count])
        return advance(logger: logger)
    }

    /// Takes the records already read until a request is complete (kept in `request`; the
    /// records after it wait until it is answered) or they run out. False when the connection
    /// should be closed.
    mutating func advance(logger: Logger) -> Bool {
        guard request == nil else { return true }
        do {
            while let record = try decoder.next() {
                switch try state.receive(record) {
                case nil: continue
                case .send(let bytes):
                    guard FileDescriptorIO.writeAll(bytes, to: descriptor) else { return false }
                case .aborted(let bytes, let keep):
                    guard FileDescriptorIO.writeAll(bytes, to: descriptor), keep else { return false }
                case .answer(let complete):
                    request = complete
                    return true
                }
            }
            return true
        } catch {
            logger.error("fastcgi_protocol_error", ["message": .string(error.description)])
            return false
        }
    }
}
