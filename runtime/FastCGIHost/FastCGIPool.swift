#if canImport(Glibc)
import Glibc
#endif
import FunctionKit
import Synchronization

/// One function's FastCGI processes: started on first use, lent to one request at a time,
/// and replaced when one dies. Requests beyond the free processes wait in `slots`' queue.
final class FastCGIPool: Sendable {
    let function: String
    let executable: String
    let environment: [String: String]
    let socketFolder: String
    let size: Int
    let slots: ProcessSlots
    private let log: FunctionKit.Logger

    private struct State {
        var idle: [FastCGIWorker] = []
        var started = false
        var stopping = false
        var all: [FastCGIWorker] = []
    }
    private let state = Mutex(State())

    /// A process that lived less than this was probably broken from the start: its
    /// replacement waits a moment, so a crashing function does not spin the machine.
    static let quickExit: Duration = .seconds(1)

    init(function: String, executable: String, environment: [String: String], socketFolder: String, size: Int, slots: ProcessSlots, log: FunctionKit.Logger) {
        self.function = function
        self.executable = executable
        self.environment = environment
        self.socketFolder = socketFolder
        self.size = size
        self.slots = slots
        self.log = log
    }

    enum Unavailable: Error {
        case busy(ProcessSlots.Refusal)
        case cannotStart(String)
    }

    /// Runs `body` with a free process, waiting for one if all are busy. The process goes back
    /// to the pool afterwards unless it has died (its replacement takes its place).
    func withWorker<Result>(_ body: (FastCGIWorker) async throws -> Result) async throws -> Result {
        do {
            try await slots.acquire()
        } catch {
            throw Unavailable.busy(error)
        }
        defer { slots.release() }
        try startIfNeeded()
        let worker = try await freeWorker()
        defer {
            state.withLock { state in
                if worker.isUsable, !state.stopping { state.idle.append(worker) }
            }
        }
        return try await body(worker)
    }

    /// A free process. Holding a slot means one is free or being restarted: a replacement for a
    /// process that died is waited for, up to the queue's time limit.
    private func freeWorker() async throws -> FastCGIWorker {
        let deadline = ContinuousClock.now + slots.maxWait
        while true {
            if let worker = state.withLock({ $0.idle.popLast() }) { return worker }
            guard ContinuousClock.now < deadline else {
                throw Unavailable.cannotStart("no \(function) process came up in time; see the log for why it keeps exiting")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Asks every process to finish its request and exit (SIGTERM), and waits for them.
    func stop() async {
        let workers = state.withLock { state in
            state.stopping = true
            return state.all
        }
        for worker in workers { worker.process.send(SIGTERM) }
        for worker in workers { _ = await worker.process.exitStatus() }
    }

    private func startIfNeeded() throws {
        try state.withLock { state in
            guard !state.started else { return }
            for index in 0..<size {
                let worker = try startWorker(index)
                state.idle.append(worker)
                state.all.append(worker)
            }
            state.started = true
        }
    }

    private func startWorker(_ index: Int) throws -> FastCGIWorker {
        let worker: FastCGIWorker
        do {
            worker = try FastCGIWorker(executable: executable, socketPath: "\(socketFolder)/\(function)-\(index).sock", environment: environment)
        } catch {
            throw Unavailable.cannotStart("\(function) could not start: \(error)")
        }
        Task { [weak self] in
            let status = await worker.process.exitStatus()
            await self?.replace(worker, index: index, status: status)
        }
        return worker
    }

    /// Starts a new process in place of one that ended, unless the pool is stopping.
    private func replace(_ worker: FastCGIWorker, index: Int, status: ExitStatus) async {
        let stopping = state.withLock { state in
            state.idle.removeAll { $0 === worker }
            state.all.removeAll { $0 === worker }
            return state.stopping
        }
        guard !stopping else { return }
        log.error("function_restarted", ["function": .string(function), "ended_with": .string(status.description)])
        if ContinuousClock.now - worker.startedAt < Self.quickExit { try? await Task.sleep(for: Self.quickExit) }
        do {
            let replacement = try startWorker(index)
            state.withLock { state in
                state.all.append(replacement)
                if !state.stopping { state.idle.append(replacement) } else { replacement.process.send(SIGTERM) }
            }
        } catch {
            log.error("function_not_restarted", ["function": .string(function), "message": .string(String(describing: error))])
        }
    }
}
