import Foundation
import FunctionCatalog
import FunctionKit
import HTTPTypes
import NIOCore
import NIOPosix
import Synchronization

/// Runs functions the way a CGI web server would: one process per request, its answer passed
/// back as the process writes it. At most `slots.limit` processes run at once; the rest wait
/// their turn or get 503 with `Retry-After`. Failures of the process itself become JSON errors
/// a caller can read: 502 when it could not start, crashed or wrote no valid CGI response, 504
/// when it ran past the timeout.
struct FunctionHost: Sendable {
    /// Where the function executables are (the build's products folder by default).
    let functionsDirectory: URL
    /// Variables passed through to every function (see `CGIEnvironment.settings(from:)`).
    let settings: [String: String]
    let timeout: Duration
    let slots: ProcessSlots
    /// A function whose header block is longer than this is broken: 502.
    static let maxHeadBytes = 64 * 1024

    /// One HTTP request as the host received it.
    struct Request {
        var method: String
        var query: String
        var headers: HTTPFields
        var body: Body
        var remoteAddress: String
        /// The port the request came in on (SERVER_PORT).
        var serverPort: Int
    }

    enum Body {
        case bytes([UInt8])
        /// A body over the limit: the function is told its length and refuses it unread.
        case tooLarge(declaredLength: Int)
    }

    /// Runs `match`'s function for one request and hands its answer to `deliver`, which may
    /// consume the body as it arrives. When this returns or throws, the process has ended and
    /// been reaped and its pipes are closed. It throws only what `deliver` throws, or
    /// `AnswerIncomplete` from the answer's body.
    func invoke(_ match: RouteMatch, _ request: Request, deliver: (inout FunctionAnswer) async throws -> Void) async throws {
        let name = match.function.name
        let executable = functionsDirectory.appending(path: name).path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            var answer = FunctionAnswer(
                HTTPError(
                    .internalServerError, code: "function_not_built",
                    message: "\(name) is not built in \(functionsDirectory.path); run `swift build`."))
            return try await deliver(&answer)
        }
        let (stdin, contentLength): ([UInt8], Int?) =
            switch request.body {
            case .bytes(let bytes): (bytes, bytes.isEmpty && request.headers[.contentLength] == nil ? nil : bytes.count)
            case .tooLarge(let length): ([], length)
            }
        let environment = CGIEnvironment(
            method: request.method, match: match, query: request.query, headers: request.headers, contentLength: contentLength,
            remoteAddress: request.remoteAddress, serverPort: request.serverPort, settings: settings)

        do {
            try await slots.acquire()
        } catch {
            var answer = FunctionAnswer(Self.busy(name, error))
            return try await deliver(&answer)
        }
        let child: SpawnedChild
        do {
            child = try ChildReaper.shared.spawn(
                executable, environment: environment.variables, standardInput: .pipe, standardOutput: .pipe)
        } catch {
            slots.release()
            var answer = FunctionAnswer(HTTPError(.badGateway, code: "function_failed", message: "\(name) could not start: \(error)"))
            return try await deliver(&answer)
        }

        // From here on the process is stopped at the deadline, and its slot is given back only
        // once it has been reaped, whatever happens to the request.
        let deadline = Deadline(timeout, child: child.process)
        do {
            try await converse(with: child, name: name, stdin: stdin, deadline: deadline, deliver: deliver)
        } catch {
            child.process.send(SIGKILL)
            await finish(child.process, deadline: deadline)
            throw error
        }
        await finish(child.process, deadline: deadline)
    }

    private func finish(_ process: ChildProcess, deadline: Deadline) async {
        _ = await process.exitStatus()
        deadline.cancel()
        slots.release()
    }

    /// Writes the body to the process and reads its answer, each pipe a NIO channel of its own
    /// (an error writing stdin, when the function answers without reading its body, must not
    /// cut the answer short).
    private func converse(
        with child: SpawnedChild, name: String, stdin body: [UInt8], deadline: Deadline, deliver: (inout FunctionAnswer) async throws -> Void
    ) async throws {
        let (input, output) = try await Self.channels(for: child)
        try await withThrowingTaskGroup { group in
            group.addTask {
                try? await input.executeThenClose { _, writer in
                    try await writer.write(ByteBuffer(bytes: body))
                }
            }
            try await output.executeThenClose { chunks, _ in
                var iterator = chunks.makeAsyncIterator()
                var answer = await readHead(from: &iterator, name: name, process: child.process, deadline: deadline)
                do {
                    try await deliver(&answer)
                } catch {
                    // Whoever reads the answer has gone: stop the process so nothing waits on it.
                    child.process.send(SIGKILL)
                    throw error
                }
            }
            try await group.waitForAll()
        }
    }

    /// Reads until the blank line that ends the CGI head; what it has read past it starts the body.
    private func readHead(
        from chunks: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, name: String, process: ChildProcess, deadline: Deadline
    ) async -> FunctionAnswer {
        var received: [UInt8] = []
        do {
            while let chunk = try await chunks.next() {
                let searchFrom = received.count
                received += chunk.readableBytesView
                if let (headEnd, bodyStart) = CGIResponseHead.boundary(in: received, searchFrom: searchFrom) {
                    let head = try CGIResponseHead(parsing: received[..<headEnd])
                    let checkEnd = { () async throws -> Void in
                        let status = await process.exitStatus()
                        if deadline.fired { throw AnswerIncomplete(description: "\(name) was stopped at the timeout mid-answer") }
                        if status != .exited(0) { throw AnswerIncomplete(description: "\(name) ended with \(status) mid-answer") }
                    }
                    return FunctionAnswer(
                        head: head, bodyStart: ByteBuffer(bytes: received[bodyStart...]), rest: .init(chunks: chunks, checkEnd: checkEnd))
                }
                if received.count > Self.maxHeadBytes {
                    throw CGIResponseHead.Malformed(description: "no blank line within \(Self.maxHeadBytes) bytes")
                }
            }
            throw CGIResponseHead.Malformed(description: "no blank line after the headers")
        } catch {
            let status = await process.exitStatus()
            if deadline.fired {
                return FunctionAnswer(
                    HTTPError(
                        .gatewayTimeout, code: "function_timeout",
                        message: "\(name) did not answer within \(timeout) (LEADWIRE_FUNCTION_TIMEOUT_SECONDS)."))
            }
            return FunctionAnswer(
                HTTPError(.badGateway, code: "function_failed", message: "\(name) ended with \(status) without a valid CGI response (\(error))."))
        }
    }

    private static func busy(_ name: String, _ refusal: ProcessSlots.Refusal) -> HTTPError {
        let reason =
            switch refusal {
            case .queueFull: "too many requests are already waiting (LEADWIRE_MAX_QUEUED)"
            case .waitedTooLong: "no process slot came free in time (LEADWIRE_MAX_CHILDREN, LEADWIRE_QUEUE_TIMEOUT_MS)"
            }
        var headers = HTTPFields()
        headers[.retryAfter] = "1"
        return HTTPError(.serviceUnavailable, code: "busy", message: "\(name) is busy: \(reason); retry shortly.", headers: headers)
    }

    /// The child's stdin and stdout as NIO channels. Should making one fail, every descriptor
    /// is closed here: the bootstrap leaves them to the caller then.
    private static func channels(
        for child: SpawnedChild
    ) async throws -> (input: NIOAsyncChannel<ByteBuffer, ByteBuffer>, output: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        let stdin = child.standardInput!
        let stdout = child.standardOutput!
        let bootstrap = NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let input: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            input = try await bootstrap.takingOwnershipOfDescriptor(output: stdin) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel(wrappingChannelSynchronously: channel) }
            }
        } catch {
            close(stdin)
            close(stdout)
            throw error
        }
        do {
            let output = try await bootstrap.takingOwnershipOfDescriptor(input: stdout) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
            return (input, output)
        } catch {
            close(stdout)
            try? await input.channel.close()
            throw error
        }
    }
}

/// Stops a process with SIGKILL when its time is up. SIGKILL, not SIGTERM: a CGI function has
/// nothing to shut down gracefully, and SQLite rolls back what it had not committed.
final class Deadline: Sendable {
    /// Whether the deadline stopped the process. The kill happens under this lock, so anyone
    /// who has seen the process end and then reads it gets the right answer.
    private let killed = Mutex(false)
    private let timer = Mutex<Task<Void, Never>?>(nil)

    init(_ timeout: Duration, child: ChildProcess) {
        let task = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.killed.withLock { $0 = child.send(SIGKILL) }
        }
        timer.withLock { $0 = task }
    }

    var fired: Bool { killed.withLock { $0 } }

    func cancel() { timer.withLock { $0?.cancel() } }
}
