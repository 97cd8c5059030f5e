import FunctionKit
import HTTPTypes
import NIOCore

/// What a function answered: its status and headers, then its body chunk by chunk as the
/// process writes it, so a host passes a large answer on without holding it.
struct FunctionAnswer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    private var pending: ByteBuffer?
    private var rest: Rest?

    /// The part of the body still to come, and what decides whether it ended well.
    struct Rest {
        var chunks: any OutputChunks
        /// Runs at the end of the output; throws when the body is incomplete.
        let checkEnd: () async throws -> Void
    }

    /// An answer read from a function's output: what followed the head, then the rest.
    init(head: CGIResponseHead, bodyStart: ByteBuffer?, rest: Rest) {
        status = head.status
        headers = head.headers
        pending = bodyStart
        self.rest = rest
    }

    /// An answer the host makes itself, such as a JSON error.
    init(_ response: FunctionKit.Response) {
        status = response.status
        headers = response.headers
        pending = response.body.isEmpty ? nil : ByteBuffer(bytes: response.body)
        rest = nil
    }

    init(_ error: HTTPError) { self.init(error.response) }

    /// The next part of the body, or nil at its end. Throws when the function did not finish
    /// its answer (it crashed or was stopped mid-body): the caller must not present what it
    /// got as complete.
    mutating func nextChunk() async throws -> ByteBuffer? {
        if let chunk = pending {
            pending = nil
            if chunk.readableBytes > 0 { return chunk }
        }
        guard var source = rest else { return nil }
        if let chunk = try await source.chunks.nextChunk() {
            rest = source
            return chunk
        }
        rest = nil
        try await source.checkEnd()
        return nil
    }
}

/// What a function writes, chunk by chunk: a pipe's bytes (CGI) or a stream's records (FastCGI).
protocol OutputChunks {
    /// The next chunk, or nil at the end of the output.
    mutating func nextChunk() async throws -> ByteBuffer?
}

extension NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator: OutputChunks {
    mutating func nextChunk() async throws -> ByteBuffer? { try await next() }
}

/// The function stopped before its answer was complete; the connection must be cut so the
/// client sees the answer as broken.
struct AnswerIncomplete: Error, CustomStringConvertible {
    let description: String
}

extension FunctionAnswer {
    /// A function whose header block is longer than this is broken: 502.
    static let maxHeadBytes = 64 * 1024

    /// Reads a CGI answer's head from `chunks`; what follows it, and the rest of `chunks`, is
    /// the body. `checkEnd` runs when the body has been read to its end. Throws when the output
    /// ends or breaks before a valid head.
    static func reading(_ chunks: some OutputChunks, checkEnd: @escaping () async throws -> Void) async throws -> FunctionAnswer {
        var chunks = chunks
        var received: [UInt8] = []
        while let chunk = try await chunks.nextChunk() {
            let searchFrom = received.count
            received += chunk.readableBytesView
            if let (headEnd, bodyStart) = CGIResponseHead.boundary(in: received, searchFrom: searchFrom) {
                let head = try CGIResponseHead(parsing: received[..<headEnd])
                return FunctionAnswer(head: head, bodyStart: ByteBuffer(bytes: received[bodyStart...]), rest: .init(chunks: chunks, checkEnd: checkEnd))
            }
            if received.count > maxHeadBytes {
                throw CGIResponseHead.Malformed(description: "no blank line within \(maxHeadBytes) bytes")
            }
        }
        throw CGIResponseHead.Malformed(description: "no blank line after the headers")
    }
}

/// The answers a host gives for a function that could not answer itself.
extension HTTPError {
    static func functionNotBuilt(_ name: String, in folder: String) -> HTTPError {
        HTTPError(.internalServerError, code: .functionNotBuilt, message: "\(name) is not built in \(folder); run `swift build`.")
    }

    static func functionTimedOut(_ name: String, after timeout: Duration) -> HTTPError {
        HTTPError(.gatewayTimeout, code: .functionTimeout, message: "\(name) did not answer within \(timeout) (LEADWIRE_FUNCTION_TIMEOUT_SECONDS).")
    }

    static func functionFailed(_ name: String, _ reason: String) -> HTTPError {
        HTTPError(.badGateway, code: .functionFailed, message: "\(name) \(reason).")
    }

    static func functionBusy(_ name: String, _ refusal: ProcessSlots.Refusal) -> HTTPError {
        let reason =
            switch refusal {
            case .queueFull: "too many requests are already waiting (LEADWIRE_MAX_QUEUED)"
            case .waitedTooLong: "no process came free in time (LEADWIRE_MAX_CHILDREN or LEADWIRE_POOL_PROCESSES, LEADWIRE_QUEUE_TIMEOUT_MS)"
            }
        var headers = HTTPFields()
        headers[.retryAfter] = "1"
        return HTTPError(.serviceUnavailable, code: .busy, message: "\(name) is busy: \(reason); retry shortly.", headers: headers)
    }
}
