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

    /// The part of the body still in the pipe, and what decides whether it ended well.
    struct Rest {
        var chunks: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
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
        if let chunk = try await source.chunks.next() {
            rest = source
            return chunk
        }
        rest = nil
        try await source.checkEnd()
        return nil
    }
}

/// The function stopped before its answer was complete; the connection must be cut so the
/// client sees the answer as broken.
struct AnswerIncomplete: Error, CustomStringConvertible {
    let description: String
}
