#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Stops a process with SIGKILL when its request's time is up, under either host. SIGKILL, not
/// SIGTERM: the request is lost either way, and SQLite rolls back what it had not committed.
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
