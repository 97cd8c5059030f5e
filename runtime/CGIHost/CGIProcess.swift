import Foundation
import Synchronization

/// Runs one function executable as a CGI host does: the environment and body in, everything it
/// writes to stdout back, its stderr passed through to the runtime's (the function's logs).
struct CGIProcess {
    enum Outcome {
        case exited(status: Int32, output: [UInt8])
        case timedOut
        case couldNotStart(String)
    }

    let executable: URL
    let environment: [String: String]
    let body: [UInt8]
    let timeout: Duration

    func run() async -> Outcome {
        await withCheckedContinuation { continuation in
            // Process and pipe I/O block, so they get a thread of their own, off the event loops.
            Thread.detachNewThread {
                continuation.resume(returning: runBlocking())
            }
        }
    }

    private func runBlocking() -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            return .couldNotStart("\(executable.path): \(error.localizedDescription)")
        }

        // Write the body from another thread: a function may answer (413, 401) without reading it,
        // and a large body must not block reading its answer.
        let body = self.body
        Thread.detachNewThread {
            try? input.fileHandleForWriting.write(contentsOf: body)
            try? input.fileHandleForWriting.close()
        }

        // SIGKILL, not SIGTERM: children of Foundation's Process inherit a blocked signal mask, and
        // a CGI function has nothing to shut down gracefully (SQLite rolls back its transaction).
        let timedOut = Mutex(false)
        let deadline = DispatchWorkItem {
            guard process.isRunning else { return }
            timedOut.withLock { $0 = true }
            kill(process.processIdentifier, SIGKILL)
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)

        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        if timedOut.withLock({ $0 }) { return .timedOut }
        return .exited(status: process.terminationStatus, output: Array(stdout))
    }
}
