import Foundation
import FunctionKit
import LeadwireStore
import Outbound
import SecretSealing
import TestSupport
import Testing

/// The outbox under several workers: a message is one worker's while its lease lasts, comes
/// back when the lease ends, and only its holder records it.
@Suite struct DeliveryQueueTests {
    let database: Database
    let store: [String: String]
    let key = try! SealingKey(bytes: [UInt8](repeating: 7, count: 32))
    let start = Timestamp(millisecondsSince1970: 1_800_000_000_000)

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "queue-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = TestStore.fresh(in: folder)
        database = try TestStore.open(store)
        let store = SubscriptionStore(database: database, key: key)
        let input = try SubscriptionInput(
            try JSONValue(parsing: #"{"name":"crm","url":"http://127.0.0.1:9/hook","events":["*"],"retryAttempts":2}"#), creating: true,
            allowPrivate: true)
        _ = try store.create(input, createdBy: "test")
        let fanOut = try EventFanOut(database: database)
        for index in 0..<5 {
            try fanOut.emit(OutboundEvent("lead.created", data: JSONObject([("n", JSONValue(Int64(index)))]), metadata: JSONObject()), at: start)
        }
    }

    private func queue(_ owner: String, key: SealingKey? = nil) -> DeliveryQueue {
        DeliveryQueue(database: database, key: key ?? self.key, owner: owner, leaseSeconds: 60)
    }

    private func later(_ seconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: start.millisecondsSince1970 + seconds * 1000) }

    @Test func twoWorkersNeverHoldOneMessage() throws {
        let first = try queue("a").claim(limit: 3, topics: ["webhook"], now: later(1))
        let second = try queue("b").claim(limit: 10, topics: ["webhook"], now: later(1))
        #expect(first.count == 3 && second.count == 2)
        #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        #expect(try queue("c").claim(limit: 10, topics: ["webhook"], now: later(2)).isEmpty)
        // The secret opened, and every message keeps its event id.
        #expect(first[0].subscription?.secrets.count == 1)
        #expect(first.allSatisfy { $0.eventID.hasPrefix("msg_") && $0.unsendable == nil })
    }

    /// Workers claiming at the same moment, each on its own connection: on PostgreSQL the
    /// claim skips rows another worker is taking (`FOR UPDATE SKIP LOCKED`).
    @Test func workersClaimingAtOnceShareOutTheMessages() async throws {
        let fanOut = try EventFanOut(database: database)
        for index in 5..<40 {
            try fanOut.emit(OutboundEvent("lead.created", data: JSONObject([("n", JSONValue(Int64(index)))]), metadata: JSONObject()), at: start)
        }
        let (store, key, now) = (store, key, later(1))
        // Each opens its connection first, then all claim at the same moment.
        let runs = await atOnce(8) { worker in
            let queue = DeliveryQueue(database: try TestStore.open(store), key: key, owner: "w\(worker)", leaseSeconds: 60)
            return try queue.claim(limit: 5, topics: ["webhook"], now: now).map(\.id)
        }
        #expect(runs.peakOverlap() >= 2, "the claims did not overlap")
        let claims = try runs.map { try $0.result.get() }
        let all = claims.flatMap { $0 }
        #expect(Set(all).count == all.count, "a message was claimed twice: \(claims)")
        #expect(all.count == 40)
    }

    @Test func aLeaseThatEndsGivesTheMessageToAnotherAndOnlyItRecords() throws {
        let held = try queue("dead").claim(limit: 1, topics: ["webhook"], now: later(1))
        #expect(try queue("b").claim(limit: 10, topics: ["webhook"], now: later(30)).count == 4)
        let taken = try queue("c").claim(limit: 10, topics: ["webhook"], now: later(62))
        #expect(taken.map(\.id) == held.map(\.id))
        let result = AttemptResult(httpStatus: 200, responseExcerpt: "ok", error: nil, durationMilliseconds: 3)
        #expect(try queue("dead").record(held[0], result, retryInSeconds: nil) == false, "the old holder lost its lease")
        #expect(try queue("c").record(taken[0], result, retryInSeconds: nil))
        #expect(try database.queryRow("SELECT status FROM outbox WHERE id = ?", [.integer(taken[0].id)])?[0] == "delivered")
        #expect(try database.queryRow("SELECT success_count, consecutive_failures FROM webhook_subscriptions")?.values == [.integer(1), .integer(0)])
    }

    @Test func aRetryWaitsAndFailuresAreCountedInARow() throws {
        let message = try #require(try queue("a").claim(limit: 1, topics: ["webhook"], now: later(1)).first)
        let failed = AttemptResult(httpStatus: 500, responseExcerpt: "boom", error: nil, durationMilliseconds: 3)
        #expect(try queue("a").record(message, failed, retryInSeconds: 3600))
        #expect(try database.queryRow("SELECT status, attempts FROM outbox WHERE id = ?", [.integer(message.id)])?.values == ["pending", .integer(1)])
        #expect(try queue("a").consecutiveFailures(of: message.subscription!.id) == 1)
        #expect(try database.queryRow("SELECT http_status, response_excerpt, status FROM webhook_deliveries")?.values == [.integer(500), "boom", "failed"])
    }

    /// The worker records a batch at a time: each subscription's counters come out as if its
    /// attempts had been recorded one by one, in order.
    @Test func aBatchCountsEachSubscriptionsAttemptsInOrder() throws {
        let fanOut = try EventFanOut(database: database)
        for index in 5..<7 {
            try fanOut.emit(OutboundEvent("lead.created", data: JSONObject([("n", JSONValue(Int64(index)))]), metadata: JSONObject()), at: start)
        }
        let claimed = try queue("a").claim(limit: 7, topics: ["webhook"], now: later(1))
        #expect(claimed.count == 7)
        let ok = AttemptResult(httpStatus: 200, responseExcerpt: "ok", error: nil, durationMilliseconds: 1)
        let failed = AttemptResult(httpStatus: 500, responseExcerpt: "boom", error: nil, durationMilliseconds: 1)
        func record(_ attempts: [(Int, AttemptResult)]) throws -> [SQLValue] {
            let outcomes = attempts.map { DeliveryQueue.Outcome(message: claimed[$0.0], attempt: $0.1, retryInSeconds: $0.1.delivered ? nil : 3600) }
            #expect(try queue("a").record(outcomes, now: later(2)).allSatisfy { $0 })
            return try database.queryRow(
                "SELECT success_count, failed_count, consecutive_failures, last_delivery_status FROM webhook_subscriptions")?.values ?? []
        }
        // success, failed, failed in a row, last status
        #expect(try record([(0, failed)]) == [.integer(0), .integer(1), .integer(1), "failed"])
        #expect(try record([(1, failed), (2, failed)]) == [.integer(0), .integer(3), .integer(3), "failed"], "no success: the row goes on")
        #expect(try record([(3, ok), (4, failed)]) == [.integer(1), .integer(4), .integer(1), "failed"], "only failures after the success count")
        #expect(try record([(5, failed), (6, ok)]) == [.integer(2), .integer(5), .integer(0), "success"])
        #expect(try database.queryRow("SELECT count(*) FROM webhook_deliveries")?[0] == .integer(7))
        #expect(claimed.allSatisfy { $0.eventType == "lead.created" })
    }

    @Test func aDisabledSubscriptionsMessagesWait() throws {
        let id = try #require(try database.queryRow("SELECT id FROM webhook_subscriptions")?[0].text)
        #expect(try queue("a").disable(subscription: id, reason: "410"))
        #expect(try queue("a").claim(limit: 10, topics: ["webhook"], now: later(1)).isEmpty)
        _ = try database.run("UPDATE webhook_subscriptions SET active = TRUE")
        #expect(try queue("a").claim(limit: 10, topics: ["webhook"], now: later(1)).count == 5)
    }

    /// A topic is taken as itself and a pattern ending in `%` as its prefix; a claim gives the
    /// oldest due first, across topics.
    @Test func aClaimTakesItsTopicsOnlyOldestFirst() throws {
        for topic in ["telegram.alert", "telegramish", "widget.reply"] {
            try Outbox.enqueue(topic: topic, payload: #"{"text":"t"}"#, idempotencyKey: topic, in: database)
        }
        // Queued last, but due first.
        _ = try database.run("UPDATE outbox SET next_attempt_at = ? WHERE topic = 'widget.reply'", [.text(Timestamp(millisecondsSince1970: 946_684_800_000).iso8601)])
        #expect(try queue("a").claim(limit: 10, topics: ["telegram.%"], now: later(1)).map(\.topic) == ["telegram.alert"])
        let rest = try queue("b").claim(limit: 10, topics: ["webhook", "widget.reply"], now: later(1))
        #expect(rest.map(\.topic) == ["widget.reply"] + Array(repeating: "webhook", count: 5))
        #expect(rest.map(\.id).dropFirst().elementsEqual(rest.map(\.id).dropFirst().sorted()))
        #expect(try queue("c").claim(limit: 10, topics: ["telegram.%", "webhook", "widget.reply"], now: later(1)).isEmpty)
    }

    @Test func aSecretUnderAnotherKeyIsNeverSentUnsigned() throws {
        let other = try SealingKey(bytes: [UInt8](repeating: 8, count: 32))
        let claimed = try queue("a", key: other).claim(limit: 1, topics: ["webhook"], now: later(1))
        #expect(claimed.first?.unsendable != nil)
        #expect(claimed.first?.subscription?.secrets.isEmpty == true)
    }
}

/// The worker reads a queued payload's event type from its first key, as `OutboundEvent`
/// writes it; any other payload is parsed in full, so the type is never misread.
@Suite struct QueuedEventTypeTests {
    @Test func theTypeComesFromTheFirstKeyOrAFullParse() {
        let written = OutboundEvent("lead.status_changed", data: JSONObject(), metadata: JSONObject()).payload(id: "msg_1", at: .now())
        #expect(OutboundEvent.type(ofPayload: written) == "lead.status_changed")
        #expect(OutboundEvent.type(ofPayload: #"{"id":"msg_2","event":"lead.deleted"}"#) == "lead.deleted")
        #expect(OutboundEvent.type(ofPayload: #"{"event":"lead.created\"x","id":"msg_3"}"#) == #"lead.created"x"#)
        #expect(OutboundEvent.type(ofPayload: #"{"event":"not.a.kind"}"#) == "not.a.kind")
        #expect(OutboundEvent.type(ofPayload: #"{"event":"#) == nil, "not JSON")
        #expect(OutboundEvent.type(ofPayload: "") == nil)
    }
}

@Suite struct RetryScheduleTests {
    /// Full jitter: each wait is drawn from 0 up to a ceiling that doubles per failure.
    @Test func theCeilingDoublesAndTheLastFailureEndsIt() {
        let schedule = RetrySchedule(baseSeconds: 60, retries: 3)
        for (failures, ceiling) in [(Int64(1), Int64(60)), (2, 120), (3, 240)] {
            let draws = (0..<2000).compactMap { _ in schedule.delay(afterFailedAttempts: failures) }
            #expect(draws.count == 2000)
            #expect(draws.allSatisfy { (0...ceiling).contains($0) })
            #expect(draws.max()! > ceiling * 9 / 10 && draws.min()! < ceiling / 10, "spread over the whole range")
        }
        #expect(schedule.delay(afterFailedAttempts: 4) == nil)
        #expect((0..<200).allSatisfy { _ in schedule.delay(afterFailedAttempts: 1, retryAfter: 90)! >= 90 })
        #expect((0..<200).allSatisfy { _ in RetrySchedule(baseSeconds: 3600, retries: 40).delay(afterFailedAttempts: 40)! <= RetrySchedule.capSeconds })
    }
}
