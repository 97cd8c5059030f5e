public import FunctionKit
public import LeadwireStore
public import SecretSealing

/// The outbox as the worker sees it: messages claimed under a lease, so several workers (on
/// one machine or sharing the file) never send one message at once, and a worker that dies
/// mid-delivery (`kill -9`) leaves its messages to another once the lease ends. Delivery is
/// at least once: a receiver may see a message again, always with the same `webhook-id`.
public struct DeliveryQueue {
    let database: Database
    let key: SealingKey?
    public let owner: String
    public let leaseSeconds: Int64

    public init(database: Database, key: SealingKey?, owner: String, leaseSeconds: Int64 = 60) {
        self.database = database
        self.key = key
        self.owner = owner
        self.leaseSeconds = leaseSeconds
    }

    /// Claims up to `limit` messages that are due, on `topics` only (`webhook`, or a prefix
    /// pattern such as `telegram.%`). Messages of a disabled subscription are left alone until
    /// it is re-enabled. On PostgreSQL, workers claiming at once skip each other's rows instead
    /// of claiming the same ones twice.
    public func claim(limit: Int, topics: [String], now: Timestamp = .now()) throws -> [QueuedMessage] {
        guard !topics.isEmpty, limit > 0 else { return [] }
        return try database.transaction { try claimInTransaction(limit: limit, topics: topics, now: now) }
    }

    /// Records a batch of attempts and claims the next messages in one transaction: the worker
    /// does both whenever places come free, and one commit is half the cost of two.
    public func record(_ outcomes: [Outcome], thenClaim limit: Int, topics: [String], now: Timestamp = .now()) throws
        -> (held: [Bool], claimed: [QueuedMessage])
    {
        // With nothing to record this is a claim, which takes no lock when it has nothing to claim.
        if outcomes.isEmpty { return ([], try claim(limit: limit, topics: topics, now: now)) }
        return try database.transaction {
            let held = try recordInTransaction(outcomes, now: now)
            let claimed = topics.isEmpty || limit <= 0 ? [] : try claimInTransaction(limit: limit, topics: topics, now: now)
            return (held, claimed)
        }
    }

    /// The claim: one UPDATE that leases the messages and returns them, then each subscription
    /// the batch goes to, read (and its sealed secrets opened) once.
    private func claimInTransaction(limit: Int, topics: [String], now: Timestamp) throws -> [QueuedMessage] {
        let nowText = now.iso8601
        let until = now.adding(seconds: leaseSeconds).iso8601
        let topicFilter = Self.topicFilter(topics)
        let leased = try database.query(
            """
            UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (
                SELECT o.id FROM outbox o LEFT JOIN webhook_subscriptions s ON s.id = o.subscription_id
                WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
                    AND (o.subscription_id IS NULL OR s.active = TRUE) AND (\(topicFilter.sql))
                ORDER BY o.next_attempt_at, o.id LIMIT ? \(database.dialect.skipLockedRows(of: "o")))
            RETURNING id, topic, payload, event_id, attempts, subscription_id, next_attempt_at
            """, [.text(owner), .text(until), .text(nowText), .text(nowText)] + topicFilter.parameters + [.integer(Int64(limit))])
        var subscribers: [String: QueuedMessage.Subscriber?] = [:]
        let messages = try leased.map { row in
            let subscriber = try row[5].text.flatMap { id in
                if let opened = subscribers[id] { return opened }
                let opened = try database.queryRow(
                    """
                    SELECT id, url, timeout_ms, retry_attempts, retry_delay, secret_sealed, previous_secret_sealed, previous_secret_until
                    FROM webhook_subscriptions WHERE id = ?
                    """, [.text(id)]
                ).map { QueuedMessage.Subscriber($0, key: key, now: now) }
                subscribers[id] = opened
                return opened
            }
            return (due: row[6].text ?? "", message: QueuedMessage(row, subscriber: subscriber))
        }
        // RETURNING gives rows in no promised order; they go out oldest first.
        return messages.sorted { ($0.due, $0.message.id) < ($1.due, $1.message.id) }.map(\.message)
    }

    /// Which topics a claim takes: a topic as itself, a pattern ending in `%` as the prefix
    /// before it. Said with `=` and `substr`, not `LIKE`: SQLite prepares a statement again
    /// whenever a LIKE pattern is bound anew, and the worker claims hundreds of times a second.
    static func topicFilter(_ topics: [String]) -> (sql: String, parameters: [SQLValue]) {
        let terms = topics.map { topic -> (String, SQLValue) in
            guard topic.hasSuffix("%") else { return ("o.topic = ?", .text(topic)) }
            let prefix = String(topic.dropLast())
            return ("substr(o.topic, 1, \(prefix.utf8.count)) = ?", .text(prefix))
        }
        return (terms.map(\.0).joined(separator: " OR "), terms.map(\.1))
    }

    /// Records one attempt: delivered, to be retried after `retryInSeconds`, or failed for
    /// good (`retryInSeconds` nil). Only while this worker still holds the lease: a message
    /// another worker took over after the lease ended is that worker's to record.
    @discardableResult
    public func record(_ message: QueuedMessage, _ attempt: AttemptResult, retryInSeconds: Int64?, now: Timestamp = .now()) throws -> Bool {
        try record([Outcome(message: message, attempt: attempt, retryInSeconds: retryInSeconds)], now: now)[0]
    }

    /// One attempt and what follows it.
    public struct Outcome {
        public let message: QueuedMessage
        public let attempt: AttemptResult
        public let retryInSeconds: Int64?

        public init(message: QueuedMessage, attempt: AttemptResult, retryInSeconds: Int64?) {
            self.message = message
            self.attempt = attempt
            self.retryInSeconds = retryInSeconds
        }
    }

    /// Records a batch of attempts in one transaction (one commit, not one per message);
    /// returns, for each, whether this worker still held it. Each subscription's counters
    /// take the batch's attempts in one update.
    public func record(_ outcomes: [Outcome], now: Timestamp = .now()) throws -> [Bool] {
        try database.transaction { try recordInTransaction(outcomes, now: now) }
    }

    private func recordInTransaction(_ outcomes: [Outcome], now: Timestamp) throws -> [Bool] {
        let held = try outcomes.map { try recordAttempt($0, now: now) }
        var tallies: [String: SubscriptionTally] = [:]
        for (outcome, held) in zip(outcomes, held) where held {
            guard let id = outcome.message.subscription?.id else { continue }
            tallies[id, default: SubscriptionTally()].add(delivered: outcome.attempt.delivered)
        }
        // In one order for every worker, so two settling at once on PostgreSQL wait for
        // each other's row locks instead of deadlocking.
        for (id, tally) in tallies.sorted(by: { $0.key < $1.key }) {
            try database.write(
                """
                UPDATE webhook_subscriptions SET success_count = success_count + ?, failed_count = failed_count + ?,
                    consecutive_failures = CASE WHEN ? THEN ? ELSE consecutive_failures + ? END,
                    last_delivery_status = ?, last_delivery_at = \(database.dialect.now) WHERE id = ?
                """,
                [
                    .integer(tally.successes), .integer(tally.failures), SQLValue(tally.successes > 0), .integer(tally.failuresSinceSuccess),
                    .integer(tally.failuresSinceSuccess), .text(tally.lastDelivered ? "success" : "failed"), .text(id),
                ])
        }
        return held
    }

    /// The message's own row and its delivery record; false when the lease is no longer ours.
    private func recordAttempt(_ outcome: Outcome, now: Timestamp) throws -> Bool {
        let (message, attempt, retryInSeconds) = (outcome.message, outcome.attempt, outcome.retryInSeconds)
        let status = attempt.delivered ? "delivered" : (retryInSeconds == nil ? "failed" : "pending")
        let next = now.adding(seconds: retryInSeconds ?? 0).iso8601
        let updated = try database.run(
            """
            UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
                delivered_at = CASE WHEN ? THEN \(database.dialect.now) END
            WHERE id = ? AND lease_owner = ?
            """, [.text(status), .text(next), SQLValue(attempt.error ?? attempt.httpStatus.map { "HTTP \($0)" }), SQLValue(attempt.delivered), .integer(message.id), .text(owner)])
        guard updated == 1 else { return false }
        guard let subscription = message.subscription else { return true }
        try database.write(
            """
            INSERT INTO webhook_deliveries (outbox_id, subscription_id, event_id, event_type, attempt, status, http_status, response_excerpt, error, duration_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(message.id), .text(subscription.id), .text(message.eventID), .text(message.eventType), .integer(message.attempts + 1),
                .text(attempt.delivered ? "success" : "failed"), SQLValue(attempt.httpStatus.map(Int64.init)), SQLValue(attempt.responseExcerpt),
                SQLValue(attempt.error), .integer(attempt.durationMilliseconds),
            ])
        return true
    }

    /// What a batch's attempts, in order, add to one subscription's counters: a success resets
    /// the failures in a row, so only those after the batch's last success remain (added to
    /// the count before the batch when it had no success).
    struct SubscriptionTally {
        var successes: Int64 = 0
        var failures: Int64 = 0
        var failuresSinceSuccess: Int64 = 0
        var lastDelivered = false

        mutating func add(delivered: Bool) {
            if delivered {
                successes += 1
                failuresSinceSuccess = 0
            } else {
                failures += 1
                failuresSinceSuccess += 1
            }
            lastDelivered = delivered
        }
    }

    /// Switches a subscription off (410 Gone, or too many failures in a row); its messages wait
    /// until someone re-enables it. Returns whether this call switched it off.
    @discardableResult
    public func disable(subscription id: String, reason: String) throws -> Bool {
        try database.run(
            "UPDATE webhook_subscriptions SET active = FALSE, disabled_reason = ?, updated_at = \(database.dialect.now) WHERE id = ? AND active = TRUE",
            [.text(reason), .text(id)]) == 1
    }

    /// How many attempts in a row have failed for the subscription.
    public func consecutiveFailures(of id: String) throws -> Int64 {
        try database.queryRow("SELECT consecutive_failures FROM webhook_subscriptions WHERE id = ?", [.text(id)])?[0].integer ?? 0
    }
}

/// How one attempt went.
public struct AttemptResult: Sendable {
    public var httpStatus: Int?
    public var responseExcerpt: String?
    public var error: String?
    public var durationMilliseconds: Int64
    /// Seconds the receiver asked to wait (`Retry-After`, or Telegram's `retry_after`).
    public var retryAfterSeconds: Int64?

    public init(httpStatus: Int?, responseExcerpt: String?, error: String?, durationMilliseconds: Int64, retryAfterSeconds: Int64? = nil) {
        self.httpStatus = httpStatus
        self.responseExcerpt = responseExcerpt
        self.error = error
        self.durationMilliseconds = durationMilliseconds
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var delivered: Bool { error == nil && (200..<300).contains(httpStatus ?? 0) }
}

/// A claimed message with what sending it needs.
public struct QueuedMessage: Sendable {
    public struct Target: Sendable {
        public let id: String
        public let url: String
        public let timeoutMilliseconds: Int64
        public let schedule: RetrySchedule
        /// The current secret first, then the previous one while it is still valid.
        public let secrets: [SigningSecret]
    }

    public let id: Int64
    public let topic: String
    public let payload: String
    public let eventID: String
    public let eventType: String
    /// Attempts made before this one.
    public let attempts: Int64
    /// The subscription, for a webhook message.
    public let subscription: Target?

    /// Why the message cannot be signed (its secret does not open with this key), if so: it
    /// is then recorded as a failed attempt, never sent unsigned.
    public let unsendable: String?

    init(_ row: Row, subscriber: Subscriber?) {
        id = row[0].integer ?? 0
        topic = row[1].text ?? ""
        payload = row[2].text ?? ""
        attempts = row[4].integer ?? 0
        eventID = row[3].text ?? "msg_outbox_\(id)"
        eventType = OutboundEvent.type(ofPayload: payload) ?? topic
        subscription = subscriber?.target
        unsendable = subscriber?.unsendable
    }

    /// A subscription as its claimed messages share it: where to send, and its secrets opened.
    struct Subscriber {
        let target: Target
        let unsendable: String?

        /// From the row of `webhook_subscriptions` the claim reads: id, url, timeout_ms,
        /// retry_attempts, retry_delay, secret_sealed, previous_secret_sealed, previous_secret_until.
        init(_ row: Row, key: SealingKey?, now: Timestamp) {
            let id = row[0].text ?? ""
            func open(_ value: SQLValue) -> SigningSecret? {
                guard let key, case .blob(let sealed) = value,
                    let opened = try? SecretBox.open(sealed, key: key, context: "webhook-secret:" + id)
                else { return nil }
                return SigningSecret(String(decoding: opened, as: UTF8.self))
            }
            var secrets = [open(row[5])].compactMap { $0 }
            unsendable = secrets.isEmpty ? "the signing secret does not open: LEADWIRE_SECRET_KEY is unset or not the key it was sealed with" : nil
            if let until = row[7].text, until > now.iso8601, let previous = open(row[6]) { secrets.append(previous) }
            target = Target(
                id: id, url: row[1].text ?? "", timeoutMilliseconds: row[2].integer ?? 10_000,
                schedule: RetrySchedule(baseSeconds: row[4].integer ?? 60, retries: row[3].integer ?? 3), secrets: secrets)
        }
    }
}
