import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// How a connection waits for another writer's lock: short random sleeps, checked against
/// a time limit, instead of SQLite's default back-off, whose sleeps grow to 100 ms. With the
/// default, a writer that has waited a while sleeps long and keeps losing the lock to newer
/// writers, and under a burst its request runs past the sender's timeout. Short jittered
/// waits keep every waiter polling at the same pace, so the lock goes round fairly.
final class BusyWait {
    /// LEADWIRE_BUSY_TIMEOUT_MS: the longest one statement waits for the lock.
    let timeout: Duration
    /// A point after which no waiting is worth it (the request's answer would come too late).
    var deadline: ContinuousClock.Instant?
    private var waitingSince: ContinuousClock.Instant?

    /// The sleeps are drawn from this range, in microseconds.
    static let sleepRange = 200...1_500

    init(timeout: Duration) { self.timeout = timeout }

    /// SQLite's busy handler: true to try the lock again, false to give up (SQLITE_BUSY).
    func shouldRetry(attempt: Int32) -> Bool {
        let now = ContinuousClock.now
        if attempt == 0 { waitingSince = now }
        let giveUpAt = min((waitingSince ?? now) + timeout, deadline ?? .now + timeout)
        guard now < giveUpAt else { return false }
        usleep(UInt32(Int.random(in: Self.sleepRange)))
        return true
    }

    /// Installs this as `handle`'s busy handler. The connection must not outlive it.
    func install(on handle: OpaquePointer) {
        sqlite3_busy_handler(
            handle,
            { context, attempt in
                Unmanaged<BusyWait>.fromOpaque(context!).takeUnretainedValue().shouldRetry(attempt: attempt) ? 1 : 0
            }, Unmanaged.passUnretained(self).toOpaque())
    }
}
