import Foundation
import LeadwireStore
import Testing

/// Seed 003's hybrid design: hooks for real time, the call log polled as the safety net. With
/// hooks switched off, every call in the (stand-in) call log becomes a lead through
/// `runtime poll knowlarity`, and the counters equal a hook-only run's; a call seen by both is
/// one call, counted once. On the PostgreSQL pass each store is a schema, so "counted once"
/// rests on PostgreSQL's locks there.
@Suite(.serialized) struct KnowlarityPollTests {
    let scratch = Scratch("poll")

    private func settings(_ log: KnowlarityCallLog, store: Scratch, srKey: String = KnowlarityCallLog.srKey) -> [String: String] {
        store.storeSettings.merging([
            "PATH": "/usr/bin:/bin", "LEADWIRE_KNOWLARITY_API_BASE": log.base,
            "LEADWIRE_KNOWLARITY_API_KEY": KnowlarityCallLog.apiKey, "LEADWIRE_KNOWLARITY_SR_KEY": srKey, "LEADWIRE_KNOWLARITY_POLL_SECONDS": "1",
        ]) { $1 }
    }

    private func pollOnce(_ environment: [String: String]) throws -> (Int32, String) {
        try ServerProcess.runToEnd(try Products.url("runtime").path, ["poll", "knowlarity", "--once"], environment: environment)
    }

    /// The same call posted by the hook, as a CGI host runs the function.
    private func hook(_ call: [String: Any], store: Scratch) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: call)
        let result = try runCGI(
            "knowlarity-webhook",
            environment: store.storeSettings.merging([
                "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/webhooks/knowlarity", "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": String(body.count), "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH": "none",
            ]) { $1 }, stdin: body)
        return result.body
    }

    private func counts(_ store: Scratch) throws -> [SQLValue] {
        try store.database().queryRow(
            """
            SELECT (SELECT count(*) FROM leads_master), (SELECT count(*) FROM knowlarity_calls),
                (SELECT total_leads_count FROM sources WHERE display_name = 'Knowlarity')
            """)?.values ?? []
    }

    @Test func everyCallWhoseHookWasLostBecomesALeadCountedAsTheHooksWould() async throws {
        let log = try await KnowlarityCallLog(scratch: scratch)
        let calls = [
            KnowlarityCallLog.call(uuid: "p-1", phone: "+918019858999", minutesAgo: 4),
            KnowlarityCallLog.call(uuid: "p-2", phone: "+919811100001", minutesAgo: 3.5),
            KnowlarityCallLog.call(uuid: "p-3", phone: "08019858999", minutesAgo: 3),  // the first caller again
            KnowlarityCallLog.call(uuid: "p-4", phone: "+919811100002", minutesAgo: 2),
            KnowlarityCallLog.call(uuid: "p-5", phone: "+919811100003", minutesAgo: 1),
        ]
        try log.publish(calls)
        let polled = scratch
        try log.throttle(1)  // the first request is turned away with 429: the pass waits and retries
        let (status, output) = try pollOnce(settings(log, store: polled))
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""event":"poll_pass","calls":5,"stored":5,"pages":3"#), "\(output)")
        #expect(log.requests.first?["status"] as? Int == 429)
        #expect(log.requests.filter { $0["status"] as? Int == 200 }.count == 3, "paged by meta.next")

        // The hook-only run of the same calls, on its own database: the same leads and counters.
        let hooked = Scratch("poll-hooked")
        for call in calls { _ = try hook(call, store: hooked) }
        #expect(try counts(polled) == [.integer(4), .integer(5), .integer(4)])
        #expect(try counts(polled) == counts(hooked))

        // The hook of a polled call arrives after all: one call, counted once.
        #expect(try hook(calls[0], store: polled).contains(#""outcome":"duplicate_call""#))
        // A call that enters the log late, inside the overlap, is found by the next pass; the
        // calls already stored are skipped without another log row.
        let logRows = try polled.database().queryRow("SELECT count(*) FROM webhook_logs")?[0]
        try log.publish(calls + [KnowlarityCallLog.call(uuid: "p-late", phone: "+919811100004", minutesAgo: 5)])
        let (again, secondOutput) = try pollOnce(settings(log, store: polled))
        #expect(again == 0, "\(secondOutput)")
        #expect(secondOutput.contains(#""calls":6,"stored":1"#), "\(secondOutput)")
        #expect(try counts(polled) == [.integer(5), .integer(6), .integer(5)])
        #expect(try polled.database().queryRow("SELECT count(*) FROM webhook_logs")?[0] == logRows.map { .integer(($0.integer ?? 0) + 1) })
    }

    @Test func aWrongKeyIsAClearErrorAndAFailedExitAndNothingMoves() async throws {
        let log = try await KnowlarityCallLog(scratch: scratch)
        try log.publish([KnowlarityCallLog.call(uuid: "w-1", phone: "+918019858999", minutesAgo: 1)])
        let (status, output) = try pollOnce(settings(log, store: scratch, srKey: "not-the-key"))
        #expect(status != 0)
        #expect(output.contains("Knowlarity refused the keys (HTTP 401): check LEADWIRE_KNOWLARITY_API_KEY and LEADWIRE_KNOWLARITY_SR_KEY"), "\(output)")
        #expect(!output.contains("not-the-key"), "the key is not printed")
        #expect(try scratch.database().queryRow("SELECT count(*) FROM poll_cursors")?[0] == .integer(0))
        #expect(try counts(scratch) == [.integer(0), .integer(0), .null])
    }

    /// Running until stopped: a call that appears in the log is a lead within one interval.
    @Test func theRunningPollerPicksUpANewCallWithinAnInterval() async throws {
        let log = try await KnowlarityCallLog(scratch: scratch)
        let poller = try ServerProcess(
            executable: try Products.url("runtime"), arguments: ["poll", "knowlarity"], environment: settings(log, store: scratch),
            log: scratch.folder.appending(path: "poller.log"))
        _ = try await poller.waitForLog(containing: #""event":"poll_pass""#)
        try log.publish([KnowlarityCallLog.call(uuid: "r-1", phone: "+918019858999", minutesAgo: 0.1)])
        // At a 1 s interval the lead comes within a second or two; the bound is only for safety
        // on a machine busy with every other suite.
        var leads: SQLValue = .integer(0)
        let deadline = Date().addingTimeInterval(30)
        while leads == .integer(0), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            leads = try scratch.database().queryRow("SELECT count(*) FROM leads_master")?[0] ?? .integer(0)
        }
        #expect(leads == .integer(1), "no lead within 30 s at a 1 s interval")
        kill(poller.processIdentifier, SIGTERM)
        #expect(try await poller.waitForExit() == 0)
    }
}
