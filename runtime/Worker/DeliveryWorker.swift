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

    /// Sends every message that is due now, batch after batch, and returns what happened.
    func drain() async throws -> Totals {
        var totals = Totals()
        while true {
            let batch = try queue.claim(limit: settings.concurrency, topics: settings.topics)
            if batch.isEmpty { return totals }
            let courier = self.courier
            let results = await withTaskGroup(of: (QueuedMessage, AttemptResult).self) { group in
                for message in batch { group.addTask { (message, await courier.deliver(message)) } }
                var results: [(QueuedMessage, AttemptResult)] = []
                for await result in group { results.append(result) }
                return results
            }
            try settle(results, totals: &totals)
        }
    }

    /// Records a batch's results in one transaction, then logs what failed and switches off
    /// the subscriptions that asked for it (410) or kept failing.
    private func settle(_ results: [(QueuedMessage, AttemptResult)], totals: inout Totals) throws {
        let outcomes = results.map { message, result in
            // After a 410 the message waits with the rest for the subscription to be re-enabled.
            let schedule = message.subscription?.schedule ?? (message.topic == "widget.reply" ? Self.widgetSchedule : Self.telegramSchedule)
            let retry = result.delivered ? nil : schedule.delay(afterFailedAttempts: message.attempts + 1, retryAfter: result.retryAfterSeconds)
            return DeliveryQueue.Outcome(message: message, attempt: result, retryInSeconds: retry)
        }
        let held = try queue.record(outcomes)
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
    }
}
