public import Foundation
import Synchronization

/// Runs `body` `count` times truly at once: a thread each (not the test runner's cooperative
/// pool, which has one thread per core), all released together once every one is ready.
/// Returns the results in index order with when each ran, so a test can check the runs
/// overlapped instead of assuming it.
public func atOnce<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Value) async -> [TimedRun<Value>] {
    let ready = Atomic<Int>(0)
    let runs = Mutex<[TimedRun<Value>]>([])
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                ready.add(1, ordering: .relaxed)
                while ready.load(ordering: .relaxed) < count { usleep(200) }
                let started = Date()
                let result = Result { try body(index) }
                let run = TimedRun(index: index, result: result, started: started, ended: Date())
                runs.withLock { $0.append(run) }
                group.leave()
            }
        }
        group.notify(queue: .global()) { done.resume() }
    }
    return runs.withLock { $0 }.sorted { $0.index < $1.index }
}

public struct TimedRun<Value: Sendable>: Sendable {
    public let index: Int
    public let result: Result<Value, any Error>
    public let started: Date
    public let ended: Date
}

extension Array {
    /// The most runs in progress at one instant.
    public func peakOverlap<Value>() -> Int where Element == TimedRun<Value> {
        map { run in filter { $0.started <= run.started && run.started < $0.ended }.count }.max() ?? 0
    }
}
