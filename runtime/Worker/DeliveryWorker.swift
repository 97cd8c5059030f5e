import FunctionKit
import LeadwireStore
import Outbound

/// The outbound worker: claims due outbox messages, has the courier send them (up to
/// `concurrency` at once), and records each result. 2xx is delivered; 410 Gone switches the
/// subscription off at once (its messages wait until it is re-enabled); anything else (another status, a timeout, a refused connection)
/// is retried on the subscription's schedule, and a subscription whose attempts keep failing
/// is switched off after `disableAfterFailures` in a row. Telegram notices retry on their own
/// schedule and honour `retry_after`.
final class DeliveryWorker {
    let queue: DeliveryQueue
    let courier: Courier
    let settings: WorkerSettings
    let log: Logger

    /// Telegram notices: five seconds doubling, eight times (about twenty minutes at most).
    static let telegramSchedule = RetrySchedule(baseSeconds: 5, retries: 8)
    /// Widget replies: a bot is waiting, so two seconds doubling, six times (about two minutes).
    static let widgetSchedule = RetrySchedule(baseSeconds: 2, retries: 6)

    struct Totals {
        var delivered = 0
        var retrying = 0
        var failed = 0
        var attempts: Int { delivered + retrying + failed }
    }

    init(database: Database, courier: Courier, settings: WorkerSettings, log: Logger, owner: String) {
        queue = DeliveryQueue(database: database, key: settings.sealingKey, owner: owner, leaseSeconds: settings.leaseSeconds)
        self.courier = courier
        self.settings = settings
        self.log = log
    }

    /// What the drain waits for: a delivery's end, or the time to look again.
    private enum Progress: Sendable {
        case finished(QueuedMessage, AttemptResult)
        case lookAgain
    }

    /// Sends every message that is due and returns what happened. Deliveries flow without a
    /// barrier: a finished delivery's place goes to the next due message while the others are
    /// still on the wire, and results are recorded a batch at a time, in the transaction that
    /// claims the next messages when places are free (one commit for both). A
    /// message is claimed only when a place is free for it, so its lease starts when it is
    /// sent. While deliveries are in flight the worker looks again every poll interval, both
    /// for messages that came due and to record what finished: one slow receiver holds up
    /// nothing else. Once `stopping` is set it claims nothing more: what is in flight finishes
    /// and is recorded, and the rest waits for the next worker.
    func drain(stopping: AtomicFlag? = nil) async throws -> Totals {
        let courier = self.courier
        let places = settings.concurrency
        // A claim waits for half the places to be free, so its commit is shared by several messages.
        let claimWhenFree = max(1, places / 2)
        let pollInterval = Duration.milliseconds(settings.pollMilliseconds)
        return try await withThrowingTaskGroup(of: Progress.self) { group in
            var totals = Totals()
            var inFlight = 0
            var finished: [(QueuedMessage, AttemptResult)] = []
            var mayBeMoreDue = true
            var lookingAgain = false
            while true {
                let free = places - inFlight
                if mayBeMoreDue, free >= claimWhenFree, stopping?.isSet != true {
                    // What finished is recorded in the claim's transaction: one commit for both.
                    let claimed = try settle(finished, totals: &totals, thenClaim: free)
                    finished.removeAll(keepingCapacity: true)
                    // A short claim took all that is due now; the next look is after the poll interval.
                    mayBeMoreDue = claimed.count == free
                    for message in claimed { group.addTask { .finished(message, await courier.deliver(message)) } }
                    inFlight += claimed.count
                }
                if inFlight == 0 {
                    group.cancelAll()
                    return totals
                }
                if !lookingAgain {
                    lookingAgain = true
                    group.addTask {
                        try? await Task.sleep(for: pollInterval)
                        return .lookAgain
                    }
                }
                switch try await group.next() {
                case .finished(let message, let result):
                    inFlight -= 1
                    finished.append((message, result))
                    guard finished.count >= places || inFlight == 0 else { continue }
                case .lookAgain:
                    lookingAgain = false
                    mayBeMoreDue = true
                    guard !finished.isEmpty else { continue }
                case nil:
                    return totals
                }
                try settle(finished, totals: &totals)
                finished.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Records a batch's results in one transaction, with the claim of up to `limit` more
    /// messages when asked; then logs what failed and switches off the subscriptions that
    /// asked for it (410) or kept failing. Returns the messages claimed.
    @discardableResult
    private func settle(_ results: [(QueuedMessage, AttemptResult)], totals: inout Totals, thenClaim limit: Int = 0) throws -> [QueuedMessage] {
        let outcomes = results.map { message, result in
            // After a 410 the message waits with the rest for the subscription to be re-enabled.
            let schedule = message.subscription?.schedule ?? (message.topic == "widget.reply" ? Self.widgetSchedule : Self.telegramSchedule)
            let retry = result.delivered ? nil : schedule.delay(afterFailedAttempts: message.attempts + 1, retryAfter: result.retryAfterSeconds)
            return DeliveryQueue.Outcome(message: message, attempt: result, retryInSeconds: retry)
        }
        // A failure may switch its subscription off (below), which must come before that
        // subscription's next messages are claimed: a batch with a failure claims afterwards.
        let claimTogether = results.allSatisfy { $0.1.delivered }
        let (held, claimed) = try queue.record(outcomes, thenClaim: claimTogether ? limit : 0, topics: settings.topics)
        for (outcome, stillHeld) in zip(outcomes, held) where stillHeld {
            let (message, result) = (outcome.message, outcome.attempt)
            if result.delivered {
                totals.delivered += 1
                continue
            }
            let fields: KeyValuePairs<String, JSONValue> = [
                "message": JSONValue(message.id), "topic": .string(message.topic), "event_id": .string(message.eventID),
                "subscription": JSONValue(message.subscription?.id), "http_status": JSONValue(result.httpStatus.map(Int64.init)),
                "error": JSONValue(result.error), "attempt": JSONValue(message.attempts + 1),
            ]
            if outcome.retryInSeconds == nil {
                totals.failed += 1
                log.error("delivery_failed", fields)
            } else {
                totals.retrying += 1
                log.info("delivery_retrying", fields)
            }
            guard let subscription = message.subscription else { continue }
            let reason: String? =
                result.httpStatus == 410
                ? "the receiver answered 410 Gone"
                : try queue.consecutiveFailures(of: subscription.id) >= settings.disableAfterFailures
                    ? "\(settings.disableAfterFailures) failed attempts in a row" : nil
            if let reason, try queue.disable(subscription: subscription.id, reason: reason) {
                log.error("subscription_disabled", ["subscription": .string(subscription.id), "reason": .string(reason)])
            }
        }
        return claimTogether || limit == 0 ? claimed : try queue.claim(limit: limit, topics: settings.topics)
    }
}
