#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How a child process ended, as `waitid` reports it.
enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case killed(signal: Int32)

    var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .killed(let signal): "signal \(signal)"
        }
    }
}

/// One process the runtime started. Its exit is observed by the `ChildReaper`, which reaps
/// every child whether or not anyone waits, so no child is ever left a zombie.
final class ChildProcess: Sendable {
    let pid: pid_t

    private enum State {
        case running(waiters: [CheckedContinuation<ExitStatus, Never>])
        case exited(ExitStatus)
    }
    private let state = Mutex(State.running(waiters: []))

    init(pid: pid_t) { self.pid = pid }

    /// Suspends until the process has ended and been reaped.
    func exitStatus() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let ended: ExitStatus? = state.withLock { state in
                switch state {
                case .exited(let status): return status
                case .running(var waiters):
                    waiters.append(continuation)
                    state = .running(waiters: waiters)
                    return nil
                }
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    var hasExited: Bool {
        state.withLock { if case .exited = $0 { true } else { false } }
    }

    /// Sends `signal` unless the process has been reaped already: its pid may then belong to
    /// another process. Returns whether the signal was sent.
    @discardableResult
    func send(_ signal: Int32) -> Bool {
        ChildReaper.shared.send(signal, to: self)
    }

    /// Called by the reaper, once.
    func ended(_ status: ExitStatus) {
        let waiters: [CheckedContinuation<ExitStatus, Never>] = state.withLock { state in
            guard case .running(let waiters) = state else { return [] }
            state = .exited(status)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }
}
