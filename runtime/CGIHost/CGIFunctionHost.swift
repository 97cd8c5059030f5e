import Foundation
import FunctionCatalog
import FunctionKit
import HTTPTypes
import NIOCore
import NIOPosix
import ProcessSpawning

/// Runs functions the way a CGI web server would: one process per request, its answer passed
/// back as the process writes it. At most `slots.limit` processes run at once; the rest wait
/// their turn or get 503 with `Retry-After`. Failures of the process itself become JSON errors
/// a caller can read: 502 when it could not start, crashed or wrote no valid CGI response, 504
/// when it ran past the timeout.
struct CGIFunctionHost: FunctionRunner {
    /// Where the function executables are (the build's products folder by default).
    let functionsDirectory: URL
    /// Variables passed through to every function (see `CGIInvocation.settings(from:)`).
    let settings: [String: String]
    let timeout: Duration
    let slots: ProcessSlots

    func invoke(_ match: RouteMatch, _ request: FunctionRequest, deliver: (inout FunctionAnswer) async throws -> Void) async throws {
        let name = match.function.name
        guard let executable = try await executable(name, in: functionsDirectory, orAnswer: deliver) else { return }
        let stdin = request.bodyToSend.bytes
        let environment = request.environment(for: match, settings: settings)

        do {
            try await slots.acquire()
        } catch {
            var answer = FunctionAnswer(.functionBusy(name, error))
            return try await deliver(&answer)
        }
        let child: SpawnedChild
        do {
            child = try ChildReaper.shared.spawn(
                executable, environment: environment.variables, standardInput: .pipe, standardOutput: .pipe)
        } catch {
            slots.release()
            var answer = FunctionAnswer(.functionFailed(name, "could not start: \(error)"))
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
        let input: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let output: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            (input, output) = try await Self.channels(for: child)
        } catch {
            child.process.send(SIGKILL)
            var answer = FunctionAnswer(.functionFailed(name, "could not be connected to (\(error))"))
            return try await deliver(&answer)
        }
        try await withThrowingTaskGroup { group in
            group.addTask {
                try? await input.executeThenClose { _, writer in
                    try await writer.write(ByteBuffer(bytes: body))
                }
            }
            try await output.executeThenClose { chunks, _ in
                var answer = await readAnswer(from: chunks.makeAsyncIterator(), name: name, process: child.process, deadline: deadline)
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

    /// The answer the process writes, or the host's own when it writes none it can use: 504
    /// when the deadline stopped it, else 502.
    private func readAnswer(
        from output: some OutputChunks, name: String, process: ChildProcess, deadline: Deadline
    ) async -> FunctionAnswer {
        do {
            return try await FunctionAnswer.reading(output) {
                let status = await process.exitStatus()
                if deadline.fired { throw AnswerIncomplete(description: "\(name) was stopped at the timeout mid-answer") }
                if status != .exited(0) { throw AnswerIncomplete(description: "\(name) ended with \(status) mid-answer") }
            }
        } catch {
            let status = await process.exitStatus()
            if deadline.fired { return FunctionAnswer(.functionTimedOut(name, after: timeout)) }
            return FunctionAnswer(.functionFailed(name, "ended with \(status) without a valid CGI response (\(error))"))
        }
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
