#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FunctionCatalog
import FunctionKit
import Synchronization

/// Runs functions the way production hosts do: each as a few long-lived FastCGI processes
/// (a pool per function, started on first use and restarted when one dies), each request
/// sent to a free one. A request that finds none free waits its turn or gets 503 with
/// `Retry-After`; a process still busy at the timeout is stopped (504) and replaced.
final class FastCGIPools: FunctionRunner {
    let functionsDirectory: URL
    /// The whole environment of every process: settings are read once, when a process starts.
    let settings: [String: String]
    let timeout: Duration
    let processesPerFunction: Int
    let maxQueued: Int
    let maxWait: Duration
    private let log: FunctionKit.Logger
    private let socketFolder: String
    private let pools = Mutex<[String: FastCGIPool]>([:])

    init(
        functionsDirectory: URL, settings: [String: String], timeout: Duration, processesPerFunction: Int, maxQueued: Int, maxWait: Duration,
        log: FunctionKit.Logger
    ) throws {
        self.functionsDirectory = functionsDirectory
        self.settings = settings
        self.timeout = timeout
        self.processesPerFunction = processesPerFunction
        self.maxQueued = maxQueued
        self.maxWait = maxWait
        self.log = log
        socketFolder = try SocketFolder.make()
    }

    func invoke(_ match: RouteMatch, _ request: FunctionRequest, deliver: (inout FunctionAnswer) async throws -> Void) async throws {
        let name = match.function.name
        guard let executable = try await executable(name, in: functionsDirectory, orAnswer: deliver) else { return }
        let params = request.environment(for: match, settings: [:]).variables.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        do {
            try await pool(for: name, executable: executable).withWorker { worker in
                let deadline = Deadline(timeout, child: worker.process)
                defer {
                    deadline.cancel()
                    if deadline.fired { worker.retire() }
                }
                var delivering = false
                do {
                    try await FastCGIExchange.run(socketPath: worker.socketPath, params: params, body: request.bodyToSend.bytes, function: name) {
                        bytes, function in
                        var answer: FunctionAnswer
                        do {
                            answer = try await FunctionAnswer.reading(StdoutRecords(bytes, function: function)) {
                                if deadline.fired { throw AnswerIncomplete(description: "\(name) was stopped at the timeout mid-answer") }
                            }
                        } catch {
                            answer = FunctionAnswer(
                                deadline.fired ? .functionTimedOut(name, after: timeout) : .functionFailed(name, "wrote no valid answer (\(error))"))
                        }
                        delivering = true
                        do {
                            try await deliver(&answer)
                        } catch {
                            // The client went away, or the process broke off. A process that finishes
                            // its answer (read here and dropped) is healthy and stays; only one that
                            // cannot (stuck past the timeout, or cut off) is replaced.
                            if !(await Self.drain(&answer)) || deadline.fired { worker.retire() }
                            throw error
                        }
                    }
                } catch where !delivering {
                    // The process could not be reached (it had just died): the pool replaces it.
                    worker.retire()
                    var answer = FunctionAnswer(.functionFailed(name, "could not be reached (\(error))"))
                    try await deliver(&answer)
                }
            }
        } catch FastCGIPool.Unavailable.busy(let refusal) {
            var answer = FunctionAnswer(.functionBusy(name, refusal))
            try await deliver(&answer)
        } catch FastCGIPool.Unavailable.cannotStart(let reason) {
            var answer = FunctionAnswer(.functionFailed(name, reason))
            try await deliver(&answer)
        }
    }

    /// Reads what is left of an answer nobody will receive; whether it ended as an answer should.
    private static func drain(_ answer: inout FunctionAnswer) async -> Bool {
        do {
            while try await answer.nextChunk() != nil {}
            return true
        } catch {
            return false
        }
    }

    /// Stops every process (SIGTERM: each finishes its request first) and removes the sockets.
    func stop() async {
        for pool in pools.withLock({ Array($0.values) }) { await pool.stop() }
        try? FileManager.default.removeItem(atPath: socketFolder)
    }

    private func pool(for name: String, executable: String) -> FastCGIPool {
        pools.withLock { pools in
            if let pool = pools[name] { return pool }
            let pool = FastCGIPool(
                function: name, executable: executable, environment: Catalog.function(named: name)?.environment(from: settings) ?? settings, socketFolder: socketFolder, size: processesPerFunction,
                slots: ProcessSlots(limit: processesPerFunction, maxQueued: maxQueued, maxWait: maxWait), log: log)
            pools[name] = pool
            return pool
        }
    }
}
