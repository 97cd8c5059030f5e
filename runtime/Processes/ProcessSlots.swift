import Synchronization

/// Bounds how many function processes run at once. A request beyond the bound waits in a
/// first-come, first-served queue of bounded length, for a bounded time; past either bound it
/// is refused, so a burst becomes a short wait or a clear 503, never a pile of processes.
final class ProcessSlots: Sendable {
    enum Refusal: Error {
        /// As many requests as the queue holds are waiting already.
        case queueFull
        /// No slot came free within the wait limit.
        case waitedTooLong
    }

    let limit: Int
    let maxQueued: Int
    let maxWait: Duration

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
        var timer: Task<Void, Never>?
    }
    private struct State {
        var free: Int
        var queue: [Waiter] = []
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    init(limit: Int, maxQueued: Int, maxWait: Duration) {
        self.limit = limit
        self.maxQueued = maxQueued
        self.maxWait = maxWait
        state = Mutex(State(free: limit))
    }

    /// Takes a slot, waiting for one if none is free. Every successful call must be matched
    /// by one `release()`.
    func acquire() async throws(Refusal) {
        enum Start { case acquired, full, queued(UInt64) }
        let start: Start = state.withLock { state in
            if state.free > 0 {
                state.free -= 1
                return .acquired
            }
            if state.queue.count >= maxQueued { return .full }
            state.nextID += 1
            return .queued(state.nextID)
        }
        let id: UInt64
        switch start {
        case .acquired: return
        case .full: throw .queueFull
        case .queued(let queuedID): id = queuedID
        }

        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let maxWait = self.maxWait
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: maxWait)
                    self?.giveUp(id)
                }
                state.withLock { state in
                    // A slot may have come free since `start`: take it rather than wait.
                    if state.free > 0, state.queue.isEmpty {
                        state.free -= 1
                        timer.cancel()
                        continuation.resume(returning: true)
                    } else {
                        state.queue.append(Waiter(id: id, continuation: continuation, timer: timer))
                    }
                }
            }
        } onCancel: {
            giveUp(id)
        }
        if !granted { throw .waitedTooLong }
    }

    /// Returns a slot: to the longest waiter if there is one.
    func release() {
        state.withLock { state in
            if state.queue.isEmpty {
                state.free += 1
            } else {
                let next = state.queue.removeFirst()
                next.timer?.cancel()
                next.continuation.resume(returning: true)
            }
        }
    }

    /// Removes a waiter that ran out of time or was cancelled, if it is still waiting.
    private func giveUp(_ id: UInt64) {
        state.withLock { state in
            guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return }
            let waiter = state.queue.remove(at: index)
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: false)
        }
    }
}
