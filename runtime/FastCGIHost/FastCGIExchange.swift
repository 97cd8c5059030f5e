import FastCGI
import FunctionKit
import NIOCore
import NIOPosix

/// One request to a FastCGI process, as a web server makes it: a connection to its socket,
/// the request's records, then the answer's `stdout` records as they come, until `endRequest`.
enum FastCGIExchange {
    static let requestID: UInt16 = 1

    static func run(
        socketPath: String, params: [(name: String, value: String)], body: [UInt8], function: String,
        deliver: (NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, String) async throws -> Void
    ) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(unixDomainSocketPath: socketPath) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        try await channel.executeThenClose { inbound, outbound in
            var records = Record(.beginRequest, requestID: requestID, content: BeginRequest(role: .responder, keepConnection: false).content).encoded
            records += Record.stream(.params, requestID: requestID, NameValuePairs.encode(params)) + Record(.params, requestID: requestID).encoded
            records += Record.stream(.stdin, requestID: requestID, body) + Record(.stdin, requestID: requestID).encoded
            try await outbound.write(ByteBuffer(bytes: records))
            try await deliver(inbound.makeAsyncIterator(), function)
        }
    }
}

/// The `stdout` records of one request as a function's output: their content, chunk by chunk,
/// up to `endRequest`. `stderr` records (a function's logs) go to the runtime's stderr.
struct StdoutRecords: OutputChunks {
    var bytes: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let function: String
    private var decoder = RecordDecoder()
    private var ended = false

    init(_ bytes: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, function: String) {
        self.bytes = bytes
        self.function = function
    }

    mutating func nextChunk() async throws -> ByteBuffer? {
        while !ended {
            while let record = try decoder.next() {
                switch record.type {
                case .stdout where !record.content.isEmpty: return ByteBuffer(bytes: record.content)
                case .stderr: FunctionKit.Logger.standardError(String(decoding: record.content, as: UTF8.self))
                case .endRequest:
                    ended = true
                    return nil
                default: continue
                }
            }
            guard let received = try await bytes.next() else {
                throw AnswerIncomplete(description: "\(function) closed its connection before the end of its answer")
            }
            received.withUnsafeReadableBytes { decoder.append($0) }
        }
        return nil
    }
}
