#if canImport(Glibc)
import Glibc
#endif
public import FunctionKit
import HTTPTypes
import ProcessSpawning

/// Runs a function's executable for one request, the way a CGI host does: meta-variables in
/// its environment, the body on its stdin, the answer read from its stdout. Used where one
/// function hands a request to another one (replaying a stored event), so each keeps its own
/// code and settings.
public enum CGIInvocation {
    /// Why the function gave no usable answer.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Which of a host's own variables a function it starts sees: the runtime's and replay's
    /// rule. Nothing else passes: in particular not HTTP_* from the host's environment, which a
    /// function would take for request headers (the "httpoxy" mistake).
    public static func settings(from environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in
            name.hasPrefix("LEADWIRE_") || ["PATH", "TZ", "LANG", "LC_ALL", "HOME", "TMPDIR"].contains(name)
        }
    }

    /// Starts `executable` with `variables` as its whole environment, writes `body`, and waits
    /// up to `timeout` for it to finish; a function still running then is killed. Output past
    /// `maxOutputBytes` is an error rather than memory spent.
    public static func run(
        _ executable: String, variables: [String: String], body: [UInt8], timeout: Duration, maxOutputBytes: Int = 16 << 20
    ) throws(Failure) -> Response {
        var plan: SpawnPlan
        let pid: pid_t
        do {
            plan = try SpawnPlan(standardInput: .pipe, standardOutput: .pipe, standardError: .inherit)
            pid = try plan.spawn(executable, arguments: [executable], environment: variables)
        } catch {
            throw Failure(description: error.description)
        }
        plan.closeChildEnds()
        let input = plan.parentEnd(of: 0)!
        let output = plan.parentEnd(of: 1)!
        // A function reads its whole body before it answers, so writing first cannot deadlock; one
        // that refuses the body unread closes its stdin, and the write stops there.
        writeWithoutSIGPIPE(body, to: input)
        close(input)
        let collected = collect(output, until: .now + timeout, limit: maxOutputBytes)
        close(output)
        if collected == nil { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard let bytes = collected else {
            throw Failure(description: "\(executable) did not answer within \(timeout) (or wrote more than \(maxOutputBytes) bytes)")
        }
        guard let boundary = CGIResponseHead.boundary(in: bytes) else {
            throw Failure(description: "\(executable) wrote no CGI header block (exit status \(status >> 8))")
        }
        do {
            let head = try CGIResponseHead(parsing: bytes[..<boundary.headEnd])
            return Response(status: head.status, headers: head.headers, body: Array(bytes[boundary.bodyStart...]))
        } catch {
            throw Failure(description: "\(executable) wrote a malformed CGI header: \(error)")
        }
    }

    /// Writes to a pipe whose reader may be gone: EPIPE ends the write, and the SIGPIPE that
    /// comes with it is blocked on this thread and then taken, so it neither kills a process
    /// that has not ignored it (a test runner) nor changes any other thread's signals.
    private static func writeWithoutSIGPIPE(_ bytes: [UInt8], to descriptor: Int32) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        if !FileDescriptorIO.writeAll(bytes, to: descriptor), errno == EPIPE {
            var noWait = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeSignal, nil, &noWait) == SIGPIPE {}
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    /// Everything the descriptor yields until end of file, or nil past the deadline or the limit.
    private static func collect(_ descriptor: Int32, until deadline: ContinuousClock.Instant, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= limit else { return nil }
        }
    }
}
