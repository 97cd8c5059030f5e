#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProcessSpawning
import Synchronization

/// Starts the runtime's children and reaps each one when it ends, on one thread of its own.
///
/// Children start with `posix_spawn`, not Foundation's `Process`: on Swift 6.3.1 `Process.run()`
/// reads past the end of a buffer while it lists `/proc/self/fd`, and crashes when many
/// descriptors are open, which is exactly the case under a burst of requests. Here the child
/// closes every descriptor above 2 itself (`closefrom`), starts with an empty signal mask and
/// default signal dispositions (the runtime ignores SIGPIPE and hands SIGTERM to its own
/// handler; a child must not inherit either), and exits are collected with `waitid`, one thread
/// for all children instead of one thread per child.
///
/// It reaps every child of this process, so nothing else in the runtime may start processes
/// another way.
final class ChildReaper: Sendable {
    static let shared = ChildReaper()

    /// Children not yet reaped, by pid. Its lock also orders a signal against the reaping of
    /// the pid it is sent to, so a signal never reaches a recycled pid.
    private let children = Mutex<[pid_t: ChildProcess]>([:])
    /// Counts spawns, so a reaper with no children sleeps until there is one.
    private let spawned = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in reapForever() }
        thread.start()
    }

    /// Starts `executable` with exactly `arguments` and `environment`, its standard streams
    /// connected as asked. The caller owns the parent's ends of any pipes.
    func spawn(
        _ executable: String, arguments: [String] = [], environment: [String: String],
        standardInput: ChildStream = .nullDevice, standardOutput: ChildStream = .nullDevice, standardError: ChildStream = .inherit
    ) throws(SpawnError) -> SpawnedChild {
        var plan = try SpawnPlan(standardInput: standardInput, standardOutput: standardOutput, standardError: standardError)
        defer { plan.closeChildEnds() }
        let child: ChildProcess
        do {
            child = try children.withLock { children throws(SpawnError) in
                let pid = try plan.spawn(executable, arguments: [executable] + arguments, environment: environment)
                let child = ChildProcess(pid: pid)
                children[pid] = child
                return child
            }
        } catch {
            plan.closeParentEnds()
            throw error
        }
        spawned.signal()
        return SpawnedChild(process: child, standardInput: plan.parentEnd(of: 0), standardOutput: plan.parentEnd(of: 1))
    }

    func send(_ signal: Int32, to child: ChildProcess) -> Bool {
        children.withLock { children in
            guard children[child.pid] === child else { return false }
            return kill(child.pid, signal) == 0
        }
    }

    private func reapForever() {
        while true {
            // WNOWAIT leaves the child a zombie, so its pid stays reserved until it is reaped
            // below, under the same lock that `send` takes.
            var info = siginfo_t()
            guard waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) == 0 else {
                if errno == ECHILD { spawned.wait() }
                continue
            }
            let pid = info._sifields._sigchld.si_pid
            let code = info._sifields._sigchld.si_status
            let status: ExitStatus = info.si_code == CLD_EXITED ? .exited(code) : .killed(signal: code)
            let child = children.withLock { children in
                var ignored: Int32 = 0
                _ = waitpid(pid, &ignored, 0)
                return children.removeValue(forKey: pid)
            }
            child?.ended(status)
        }
    }
}

/// A started child and the parent's ends of the pipes it asked for.
struct SpawnedChild: Sendable {
    let process: ChildProcess
    /// Write end of the child's stdin, when it was `.pipe`.
    let standardInput: Int32?
    /// Read end of the child's stdout, when it was `.pipe`.
    let standardOutput: Int32?
}
