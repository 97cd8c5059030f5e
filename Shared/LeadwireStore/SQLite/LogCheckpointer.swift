import CSQLite
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Copies the write-ahead log into the database on a thread of its own, so that no request
/// waits for it, in a process that answers many requests.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 frames:
/// that request, and under group commit every request of its group, waits for the copy and the
/// sync of the database file. Under load that happens several times a second, and it was most
/// of a FastCGI process's p99. Here the commit only asks, and this thread copies the frames
/// that are new while writers go on (a PASSIVE checkpoint).
///
/// SQLite starts the log over from its beginning only after a checkpoint that copied every
/// frame, and a copy made while writers go on never quite catches up: alone, the log would grow
/// for as long as the writes go on. So once the log is `restartFrames` long, the thread also
/// takes the write lock for a moment (a RESTART checkpoint): it copies the few frames written
/// since its last copy, and the next commit writes from the log's beginning. Writers pause for
/// that short copy and a sync once every 4,000 frames, where before a group of requests waited
/// for a whole copy once every 1,000. A RESTART is tried only after a copy that reached the end
/// of the log: when a long reader (an export) holds the copy back, the RESTART would hold the
/// writers while it waited for that reader. It gives up after `restartWait` either way.
///
/// A writer that never lets go of the lock could still starve the thread; past
/// `commitCopiesFrames` the committing connection copies the log itself, as SQLite would.
final class LogCheckpointer: Sendable {
    /// New frames (4 KiB pages each) after which a copy is asked for: SQLite's own default.
    static let copyFrames: Int32 = 1000
    /// Frames after which the log is started over (16 MiB). The file keeps its length (up to
    /// `keptLogBytes`): SQLite writes it again from the start instead of shrinking it.
    static let restartFrames: Int32 = 4000
    /// The longest file the log keeps once it starts over (`PRAGMA journal_size_limit`), twice
    /// the length it restarts at: a log that a long reader (an export) let grow far past that
    /// shrinks again at its next start instead of keeping the disk space for good.
    static let keptLogBytes = 32 << 20
    /// Frames after which the committing connection copies the log itself (64 MiB).
    static let commitCopiesFrames: Int32 = 16_000
    /// The longest writers are held back by a RESTART that waits for readers.
    static let restartWait = Duration.milliseconds(20)

    private let path: String
    private let state = Mutex(State())
    /// The thread's own connection, opened at its first checkpoint and used by one thread at a
    /// time (a checkpoint starts only once the one before it has finished).
    private nonisolated(unsafe) var connection: (handle: OpaquePointer, busyWait: BusyWait)?

    private struct State {
        var asked = false
        /// The log's length at the last checkpoint: the next comes `copyFrames` later, whether
        /// or not a reader held that one back.
        var checkedAt: Int32 = 0
    }

    /// The process's checkpointer for the database at `path`: one thread however many
    /// connections the process opens.
    static func shared(path: String) -> LogCheckpointer {
        all.withLock { checkpointers in
            if let existing = checkpointers[path] { return existing }
            let made = LogCheckpointer(path: path)
            checkpointers[path] = made
            return made
        }
    }
    private static let all = Mutex<[String: LogCheckpointer]>([:])

    private init(path: String) { self.path = path }

    /// Called after a commit with the log's length in frames. Returns at once.
    func logGrew(to frames: Int32) {
        let ask = state.withLock { state in
            if frames < state.checkedAt { state.checkedAt = 0 }  // the log was started over
            guard !state.asked, frames - state.checkedAt >= Self.copyFrames else { return false }
            state.asked = true
            state.checkedAt = frames
            return true
        }
        if ask { startThread() }
    }

    /// A thread for one checkpoint: at most a few a second, each far longer than starting a
    /// thread, and nothing waits in between (Dispatch would do the same at 260 KB more binary).
    private func startThread() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            let checkpointer = Unmanaged<LogCheckpointer>.fromOpaque(context!).takeRetainedValue()
            checkpointer.checkpoint()
            return nil
        }, context)
        if started == 0 {
            pthread_detach(thread)
        } else {  // no thread to be had: the next commit asks again
            Unmanaged<LogCheckpointer>.fromOpaque(context).release()
            state.withLock { $0.asked = false }
        }
    }

    private func checkpoint() {
        if let handle = openConnection() {
            var logFrames: Int32 = 0
            var copiedFrames: Int32 = 0
            let passive = sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedFrames)
            if passive == SQLITE_OK, logFrames >= Self.restartFrames, copiedFrames == logFrames {
                sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_RESTART, nil, nil)
            }
        }
        state.withLock { $0.asked = false }
    }

    private func openConnection() -> OpaquePointer? {
        if let connection { return connection.handle }
        var pointer: OpaquePointer?
        guard sqlite3_open_v2(path, &pointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let pointer,
            // A connection opens the log at its first read; until then a checkpoint does nothing.
            sqlite3_exec(pointer, "SELECT count(*) FROM sqlite_schema", nil, nil, nil) == SQLITE_OK
        else {
            sqlite3_close_v2(pointer)
            return nil
        }
        sqlite3_db_config_int_pointer(pointer, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1)
        let busyWait = BusyWait(timeout: Self.restartWait)
        busyWait.install(on: pointer)
        connection = (pointer, busyWait)
        return pointer
    }
}
